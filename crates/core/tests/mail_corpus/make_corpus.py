#!/usr/bin/env python3
"""Generates the e-mail corpus for crates/core/tests/mail.rs.

Run from anywhere: `python3 crates/core/tests/mail_corpus/make_corpus.py`. Writes the .eml files
next to this script (deterministic: same bytes on every run) and removes .eml files it no longer
makes. The files are committed; the Rust tests read them and assert the decoded values exactly,
so any change here must come with the matching change in mail.rs.

Messages are assembled byte by byte (not with the `email` package) so that broken MIME stays
broken exactly as written. Text is encoded with Python's codecs (gb2312, gbk, gb18030, big5,
iso2022_jp, utf-8); bodies use CRLF line ends unless a case says LF.
"""

import base64
import os
import quopri
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GATEWAY = "support@posdesk.example"
DATE = "Tue, 01 Dec 2026 10:15:00 +0800"  # 1796091300 s after the epoch

FILES = {}


def b64(data: bytes) -> str:
    s = base64.b64encode(data).decode("ascii")
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def qp(data: bytes) -> str:
    return quopri.encodestring(data).decode("ascii")


def word_b(text: str, charset: str, codec: str = None) -> str:
    data = text.encode(codec or charset)
    return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode("ascii"))


def word_q(text: str, charset: str, codec: str = None) -> str:
    out = []
    for byte in text.encode(codec or charset):
        c = chr(byte)
        if c.isalnum() and byte < 0x80:
            out.append(c)
        elif c == " ":
            out.append("_")
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def msg(name: str, headers, body, lf: bool = False):
    """headers: list of header lines (str, may contain '\n ' folds); body: str or bytes."""
    head = "\n".join(headers) + "\n\n"
    ends = (lambda t: t) if lf else crlf
    if isinstance(body, str):
        FILES[name] = ends(head + body).encode("utf-8")
    else:
        FILES[name] = ends(head).encode("utf-8") + body


def std(subject: str, from_: str, extra=None, to="=?UTF-8?B?cG9zZGVza+WuouacjQ==?= <support@posdesk.example>",
        mid=None, date=DATE, return_path="<sender@shop.example.cn>"):
    h = [
        "Return-Path: " + return_path,
        "Received: from mx.shop.example.cn (mx.shop.example.cn [192.0.2.10])\n"
        "\tby mx.posdesk.example with ESMTPS; " + date,
        "Date: " + date,
        "From: " + from_,
        "To: " + to,
        "Subject: " + subject,
        "Message-ID: <%s>" % (mid or "msg@shop.example.cn"),
        "MIME-Version: 1.0",
    ]
    return h + (extra or [])


JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF\x00" + bytes(range(256)) + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def attachment(ctype: str, name_params: str, data: bytes, boundary: str, extra="") -> str:
    return (
        "--%s\n"
        "Content-Type: %s%s\n"
        "Content-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment%s\n"
        "%s"
        "\n%s\n" % (boundary, ctype, name_params[0], name_params[1], extra, b64(data))
    )


# ---------------------------------------------------------------------------------------------
# 1. Every charset in body, RFC 2047 subject, RFC 2047 display name and attachment file name.

BODY_ZH = "您好，\n\n我们店的POS机（SN: P30-88001234）今天早上无法开机，屏幕不亮。\n\n谢谢！\n"


def charset_case(name, charset, codec, name_text, subject, body, file_name, cte="base64",
                 word=word_b, file_word=None, file_type="image/jpeg", file_data=JPEG):
    boundary = "----=_Part_%s" % name.replace(".", "_")
    fw = (file_word or word)(file_name, charset, codec)
    if cte == "base64":
        body_enc = b64(crlf(body).encode(codec))
    elif cte == "quoted-printable":
        body_enc = qp(crlf(body).encode(codec))
    else:
        body_enc = None
    headers = std(word(subject, charset, codec),
                  "%s <Zhang.San@Shop.Example.CN>" % word(name_text, charset, codec),
                  ['Content-Type: multipart/mixed; boundary="%s"' % boundary],
                  mid="%s@shop.example.cn" % name.replace(".eml", ""))
    head = crlf("\n".join(headers) + "\n\n").encode("utf-8")
    parts = ("This is a multi-part message in MIME format.\n\n"
             "--%s\n"
             "Content-Type: text/plain; charset=\"%s\"\n"
             "Content-Transfer-Encoding: %s\n\n" % (boundary, charset, cte))
    raw = head + crlf(parts).encode("ascii")
    if body_enc is None:
        raw += crlf(body).encode(codec)
    else:
        raw += crlf(body_enc).encode("ascii")
    raw += crlf("\n" + attachment(file_type, ('; name="%s"' % fw, '; filename="%s"' % fw),
                                 file_data, boundary) + "--%s--\n" % boundary).encode("ascii")
    FILES[name] = raw


charset_case("charset-utf8-qp.eml", "UTF-8", "utf-8", "张三", "POS机无法开机", BODY_ZH,
             "故障照片.jpg", cte="quoted-printable", word=word_q)
charset_case("charset-utf8-base64.eml", "utf-8", "utf-8", "张三", "POS机无法开机", BODY_ZH,
             "故障照片.jpg")
charset_case("charset-gb2312.eml", "gb2312", "gb2312", "张三", "维修进度查询",
             "请问维修单 R-1024 的进度？\n", "维修单.pdf", file_type="application/pdf",
             file_data=PDF)
charset_case("charset-gbk-labelled-gb2312.eml", "GB2312", "gbk", "王喆", "刷卡机故障 - 朱镕基路店",
             "王喆报修：堃记便利店的刷卡机无法读卡。\n", "堃记小票.jpg")
charset_case("charset-gbk.eml", "GBK", "gbk", "王喆", "打印机不出纸",
             "小票打印机不出纸，已经换过纸卷。\n", "打印机.jpg", cte="quoted-printable",
             word=word_q)
charset_case("charset-gb18030.eml", "GB18030", "gb18030", "李㐀", "终端报错😀",
             "终端报错：𠀀号柜台 👍\n", "日志㐀.txt", file_type="text/plain",
             file_data="日志：㐀 错误码 E05\n".encode("gb18030"))
charset_case("charset-big5.eml", "big5", "big5", "陳大文", "刷卡機故障",
             "您好，刷卡機無法開機，螢幕顯示錯誤碼 E05。\n", "故障照片.jpg", cte="quoted-printable")
charset_case("charset-iso-2022-jp.eml", "ISO-2022-JP", "iso2022_jp", "山田太郎", "端末が起動しません",
             "端末が起動しません。\n", "領収書.pdf", cte="7bit", file_type="application/pdf",
             file_data=PDF)

# RFC 2231 file names: GBK with percent-encoding (Foxmail), UTF-8 with continuations (Outlook).
boundary = "rfc2231"
long_name = "终端故障报告_2026年12月1日_南京路店.xlsx"
enc = "".join("%%%02X" % b for b in long_name.encode("utf-8"))
cont = "\n".join(" filename*%d*=%s%s;" % (i, "UTF-8''" if i == 0 else "", enc[i * 60:(i + 1) * 60])
                 for i in range((len(enc) + 59) // 60)).rstrip(";")
gbk_name = "".join("%%%02X" % b for b in "维修报价单.pdf".encode("gbk"))
msg("rfc2231-file-names.eml",
    std("附件：报价单和故障报告", "张三 <zhang.san@shop.example.cn>",
        ['Content-Type: multipart/mixed; boundary="%s"' % boundary]),
    "--%s\nContent-Type: text/plain; charset=utf-8\n\n请查收附件。\n"
    "--%s\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename*=gbk''%s\n\n%s\n"
    "--%s\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\n"
    "Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\n%s\n\n%s\n--%s--\n"
    % (boundary, boundary, gbk_name, b64(PDF), boundary, cont, b64(b"PK\x03\x04xlsx"), boundary))

# ---------------------------------------------------------------------------------------------
# 2. Structure: alternative, HTML only, inline image.

b = "alt"
msg("multipart-alternative.eml",
    std("终端无法联网", "张三 <zhang.san@shop.example.cn>",
        ['Content-Type: multipart/alternative; boundary="%s"' % b]),
    b"".join([
        crlf("--%s\nContent-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: base64\n\n"
             % b).encode(),
        crlf(b64(crlf("终端显示“网络连接失败”。\n已重启路由器。\n").encode("gbk")) + "\n").encode(),
        crlf("--%s\nContent-Type: text/html; charset=GBK\nContent-Transfer-Encoding: base64\n\n"
             % b).encode(),
        crlf(b64("<div>终端显示<b>“网络连接失败”</b>。</div><div>HTML 版本</div>".encode("gbk"))
             + "\n--%s--\n" % b).encode(),
    ]))

HTML = ("<html><head><meta charset=\"utf-8\"><title>报修</title>"
        "<style>div { color: red; }</style></head><body>"
        "<div>您好，</div><div><br></div>"
        "<div>我们的&nbsp;POS&nbsp;机刷卡时提示&quot;读卡失败&quot;&amp;蜂鸣。</div>"
        "<p>型号：P30<br>SN：P30-88001234</p>"
        "<ul><li>已清洁读卡槽</li><li>已重启</li></ul>"
        "<blockquote><div>上次报修：R-0999</div></blockquote>"
        "<!-- hidden comment --><script>alert(1)</script>"
        "<div>张三 &#x1F44D;</div></body></html>")
msg("html-only.eml",
    std("刷卡读卡失败", "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]),
    qp(HTML.encode("utf-8")))

b = "----=_NextPart_qq"
msg("qq-inline-image.eml",
    std(word_b("屏幕碎了", "gb18030"), word_b("张三", "gb18030") + " <10001@qq.com>",
        ['Content-Type: multipart/related; boundary="%s"' % b]),
    "--%s\nContent-Type: text/html; charset=\"gb18030\"\nContent-Transfer-Encoding: base64\n\n%s\n"
    "--%s\nContent-Type: image/jpeg; name=\"%s\"\nContent-Transfer-Encoding: base64\n"
    "Content-ID: <img001@qq.com>\n\n%s\n--%s--\n"
    % (b, b64("<div>屏幕碎了，见图：</div><div><img src=\"cid:img001@qq.com\"></div>".encode("gb18030")),
       b, word_b("屏幕.jpg", "gb18030"), b64(JPEG), b))

# ---------------------------------------------------------------------------------------------
# 3. Quoted replies from the common clients.

TAG_SUBJECT = "[#T-20261201-0042] 终端无法开机"
ORIG = "<T-20261201-0042.1@posdesk.example>"


def reply(name, subject, body_text, charset="utf-8", codec=None, cte="base64", extra=None,
          from_="张三 <zhang.san@shop.example.cn>", lf=False):
    codec = codec or charset
    data = crlf(body_text).encode(codec) if not lf else body_text.encode(codec)
    enc = b64(data) if cte == "base64" else qp(data)
    h = std(subject, from_,
            (extra if extra is not None else ["In-Reply-To: " + ORIG, "References: " + ORIG])
            + ["Content-Type: text/plain; charset=%s" % charset,
               "Content-Transfer-Encoding: " + cte],
            mid=name.replace(".eml", "") + "@shop.example.cn")
    msg(name, h, enc + "\n", lf=lf)


reply("reply-qq.eml", word_b("回复：" + TAG_SUBJECT, "gb18030"),
      "好的，已经重启了，还是不行。\n\n\n"
      "------------------&nbsp;原始邮件&nbsp;------------------\n".replace("&nbsp;", "\u00a0")
      + "发件人: \"posdesk客服\"<support@posdesk.example>;\n"
      "发送时间: 2026年12月1日(星期二) 上午10:30\n"
      "收件人: \"张三\"<zhang.san@shop.example.cn>;\n"
      "主题: " + TAG_SUBJECT + "\n\n您好，请尝试重启终端。\n",
      charset="gb18030", extra=[])
reply("reply-163.eml", word_b("Re:" + TAG_SUBJECT, "GBK"),
      "收到，谢谢。\n\n\n\n\n\n"
      "在 2026-12-01 10:30:00，\"posdesk客服\" <support@posdesk.example> 写道：\n"
      ">您好，请尝试重启终端。\n>\n", charset="GBK")
reply("reply-outlook-zh.eml", word_b("答复: " + TAG_SUBJECT, "utf-8"),
      "已经换了电源线，可以开机了。\n\n"
      "________________________________\n"
      "发件人: posdesk客服 <support@posdesk.example>\n"
      "发送时间: 2026年12月1日 10:30\n"
      "收件人: 张三 <zhang.san@shop.example.cn>\n"
      "主题: " + TAG_SUBJECT + "\n\n您好，请尝试重启终端。\n")
reply("reply-outlook-en.eml", "RE: [#T-20261201-0042] Terminal does not start",
      "It works now.\n\n-----Original Message-----\nFrom: posdesk support <support@posdesk.example>\n"
      "Sent: Tuesday, December 1, 2026 10:30 AM\nTo: Zhang San\n"
      "Subject: [#T-20261201-0042] Terminal does not start\n\nPlease restart the terminal.\n",
      charset="us-ascii", cte="quoted-printable")
reply("reply-foxmail.eml", word_b("回复: " + TAG_SUBJECT, "gb2312"),
      "好的，明天上午有人在店里。\n\n\n\nzhang.san@shop.example.cn\n \n"
      "发件人： posdesk客服\n发送时间： 2026-12-01 10:30\n收件人： 张三\n"
      "主题： " + TAG_SUBJECT + "\n您好，请约上门时间。\n", charset="gb2312")
reply("reply-gmail-zh.eml", word_b("Re: " + TAG_SUBJECT, "UTF-8"),
      "好的，谢谢！\n\nposdesk客服 <support@posdesk.example> 于2026年12月1日周二\n10:30写道：\n\n"
      "> 您好，请尝试重启终端。\n>\n", cte="quoted-printable")
reply("reply-gmail-en.eml", "Re: [#T-20261201-0042] Terminal does not start",
      "Thanks, the terminal works again.\n\n-- \nZhang San\nNanjing Road shop\n\n"
      "On Tue, Dec 1, 2026 at 10:30 AM posdesk support <support@posdesk.example>\nwrote:\n\n"
      "> Please restart the terminal.\n", cte="quoted-printable", lf=True)
reply("reply-inline-quote.eml", "Re: questions",
      "> 1. 终端型号？\nP30\n> 2. 什么时候可以上门？\n明天上午\n", cte="quoted-printable")

# Threading keys: tag in the subject, In-Reply-To and References.
msg("thread-references.eml",
    std("Re: " + word_b(TAG_SUBJECT, "utf-8"), "张三 <zhang.san@shop.example.cn>",
        ["In-Reply-To: <b@posdesk.example>",
         "References: <a@posdesk.example>\n <b@posdesk.example> <c@shop.example.cn>\n"
         " <thread-references@shop.example.cn>",
         "Content-Type: text/plain; charset=utf-8"],
        mid="thread-references@shop.example.cn"),
    "还是不行。\n")

# ---------------------------------------------------------------------------------------------
# 4. Auto-replies, bounces, loops.


def simple(name, subject, from_, extra, body="我正在休假，12月5日回来。\n", mid=None, return_path=None):
    h = std(subject, from_, extra + ["Content-Type: text/plain; charset=utf-8"],
            mid=mid or name.replace(".eml", "") + "@shop.example.cn",
            return_path=return_path or "<sender@shop.example.cn>")
    msg(name, h, body)


simple("auto-submitted.eml", "Re: " + TAG_SUBJECT, "张三 <zhang.san@shop.example.cn>",
       ["Auto-Submitted: auto-replied"])
simple("auto-submitted-no.eml", "终端无法开机", "张三 <zhang.san@shop.example.cn>",
       ["Auto-Submitted: no"], body="终端无法开机。\n")
simple("auto-x-autoreply.eml", word_b("自动回复: " + TAG_SUBJECT, "gb18030"),
       "张三 <10001@qq.com>", ["X-Autoreply: yes"])
simple("auto-x-autorespond.eml", "Re: 终端无法开机", "张三 <zhang.san@shop.example.cn>",
       ["X-Autorespond: Vacation"])
simple("auto-precedence-bulk.eml", "双十二促销活动", "商城 <news@mall.example.cn>",
       ["Precedence: bulk", "List-Unsubscribe: <mailto:unsub@mall.example.cn>"],
       body="双十二全场八折。\n")
simple("auto-precedence-auto-reply.eml", "Re: 终端无法开机", "张三 <zhang.san@shop.example.cn>",
       ["Precedence: auto_reply"])
simple("auto-subject-zh.eml", word_b("自动回复：" + TAG_SUBJECT, "GBK"),
       "张三 <zhang.san@shop.example.cn>", [])
simple("auto-subject-ooo.eml", "Out of Office: [#T-20261201-0042] Terminal does not start",
       "Zhang San <zhang.san@shop.example.cn>", [], body="I am out of the office until Dec 5.\n")

b = "report"
ORIGINAL = crlf("Return-Path: <support@posdesk.example>\nFrom: posdesk客服 <support@posdesk.example>\n"
                "To: nobody@shop.example.cn\nSubject: [#T-20261201-0042] 已受理\n"
                "X-Posdesk-Loop: support@posdesk.example\n"
                "Message-ID: <T-20261201-0042.2@posdesk.example>\n\n您的报修已受理。\n")
STATUS = crlf("Reporting-MTA: dns; mx.shop.example.cn\n\nFinal-Recipient: rfc822; nobody@shop.example.cn\n"
              "Action: failed\nStatus: 5.1.1\n")
REPORT_PARTS = (
    "--%s\nContent-Type: text/plain; charset=us-ascii\n\n"
    "This is the mail system at host mx.shop.example.cn.\n\n"
    "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
    "<nobody@shop.example.cn>: user unknown\n"
    "--%s\nContent-Type: message/delivery-status\n\n%s\n"
    "--%s\nContent-Type: message/rfc822\n\n%s\n--%s--\n" % (b, b, STATUS, b, ORIGINAL, b))
msg("bounce-report.eml",
    std("Undelivered Mail Returned to Sender", "Mail Delivery System <MAILER-DAEMON@mx.shop.example.cn>",
        ['Content-Type: multipart/report; report-type=delivery-status; boundary="%s"' % b,
         "Auto-Submitted: auto-replied"],
        to="support@posdesk.example", mid="bounce-report@mx.shop.example.cn", return_path="<>"),
    REPORT_PARTS)
msg("bounce-report-other-sender.eml",
    std("Delivery Status Notification (Failure)", "Mail System <noreply@mx.shop.example.cn>",
        ['Content-Type: multipart/report; report-type="delivery-status"; boundary="%s"' % b],
        to="support@posdesk.example", mid="bounce-report-other-sender@mx.shop.example.cn"),
    REPORT_PARTS)
simple("bounce-postmaster.eml", "退信：无法投递", "Postmaster <postmaster@shop.example.cn>", [],
       body="您发送的邮件无法投递到 nobody@shop.example.cn。\n")
simple("bounce-null-return-path.eml", "Re: 终端无法开机", "张三 <zhang.san@shop.example.cn>", [],
       body="系统通知：邮件已被拒收。\n", return_path="<>")

simple("loop-header.eml", "Re: " + TAG_SUBJECT, "张三 <zhang.san@shop.example.cn>",
       ["X-Posdesk-Loop: support@posdesk.example"], body="收到。\n")
simple("loop-ticket-header.eml", TAG_SUBJECT, "posdesk客服 <noreply@posdesk.example>",
       ["X-Posdesk-Ticket: T-20261201-0042"], body="您的报修已受理。\n")
simple("loop-own-address.eml", TAG_SUBJECT, "posdesk客服 <Support@PosDesk.Example>", [],
       body="您的报修已受理。\n")

# ---------------------------------------------------------------------------------------------
# 5. Broken MIME.

b = "unterminated"
msg("broken-no-closing-boundary.eml",
    std("照片在附件", "张三 <zhang.san@shop.example.cn>",
        ['Content-Type: multipart/mixed; boundary="%s"' % b]),
    "--%s\nContent-Type: text/plain; charset=utf-8\n\n照片在附件里。\n"
    "--%s\nContent-Type: image/jpeg; name=\"photo.jpg\"\nContent-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"photo.jpg\"\n\n%s\n" % (b, b, b64(JPEG)))

bad = b64(crlf("终端序列号：P30-88001234\n无法开机。\n").encode("utf-8"))
bad = bad[:10] + "*!" + bad[10:].rstrip("=")  # stray characters and no padding
msg("broken-bad-base64.eml",
    std("序列号", "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]),
    bad + "\n")

msg("broken-missing-charset-gbk.eml",
    std(word_b("打印机卡纸", "gbk"), "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain", "Content-Transfer-Encoding: 8bit"]),
    crlf("小票打印机卡纸，请派人上门。\n").encode("gbk"))

msg("broken-utf8-label-gbk-bytes.eml",
    std(word_b("打印机卡纸", "gbk"), "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]),
    crlf("小票打印机卡纸，请派人上门。\n").encode("gbk"))

msg("broken-gb2312-label-utf8-bytes.eml",
    std("=?gb2312?B?%s?=" % base64.b64encode("打印机卡纸了".encode("utf-8")).decode(),
        "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain; charset=gb2312", "Content-Transfer-Encoding: base64"]),
    b64(crlf("小票打印机卡纸，请派人上门。\n").encode("utf-8")) + "\n")

msg("broken-cte-base64-over-plain.eml",
    std("网络故障", "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]),
    "终端无法连接网络，显示错误码 N02。\n")

msg("broken-unknown-cte.eml",
    std("网络故障", "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8-bit"]),
    "终端无法连接网络。\n")

msg("broken-bad-qp.eml",
    std("折扣", "张三 <zhang.san@shop.example.cn>",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"]),
    "=E9=80=80=E6=AC=BE 100% = ok=ZZ\nline=\n two\n")

b = "raw8bit"
raw_headers = crlf("\n".join([
    "Date: " + DATE,
    "From: 张三 <zhang.san@shop.example.cn>",
    "To: support@posdesk.example",
    "Subject: 终端无法开机（未编码）",
    "Message-ID: <broken-raw-8bit-headers@shop.example.cn>",
    'Content-Type: multipart/mixed; boundary="%s"' % b,
]) + "\n\n").encode("gbk")
raw_parts = (crlf("--%s\nContent-Type: text/plain; charset=gbk\n\n" % b).encode("ascii")
             + crlf("请看附件。\n").encode("gbk")
             + crlf("--%s\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n" % b).encode()
             + crlf('Content-Disposition: attachment; filename="现场照片.jpg"\n\n').encode("gbk")
             + crlf(b64(JPEG) + "\n--%s--\n" % b).encode())
FILES["broken-raw-8bit-headers.eml"] = raw_headers + raw_parts

# A UTF-8 character split across two encoded words (illegal, but clients do it).
word = "终端不能刷卡".encode("utf-8")
split = "=?UTF-8?B?%s?=\n =?UTF-8?B?%s?=" % (base64.b64encode(word[:4]).decode(),
                                             base64.b64encode(word[4:]).decode())
msg("broken-split-encoded-word.eml",
    std(split, "张三 <zhang.san@shop.example.cn>", ["Content-Type: text/plain; charset=utf-8"]),
    "如题。\n")

msg("broken-multipart-no-boundary.eml",
    std("没有分隔符", "张三 <zhang.san@shop.example.cn>", ["Content-Type: multipart/mixed"]),
    "--xyz\nContent-Type: text/plain; charset=utf-8\n\n终端无法开机。\n--xyz--\n")

# ---------------------------------------------------------------------------------------------
# 6. Unparseable.

FILES["unparseable-empty.eml"] = b""
seed = 12345
garbage = bytearray(b"\x89PNG\r\n\x1a\n")
while len(garbage) < 2048:
    seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
    byte = (seed >> 16) & 0xFF
    if byte != ord(":"):
        garbage.append(byte)
FILES["unparseable-garbage.eml"] = bytes(garbage)
FILES["unparseable-truncated.eml"] = crlf(
    "Received: from mx.shop.example.cn\n\tby mx.posdesk.example; " + DATE + "\nDate: " + DATE
    + "\nMessage-ID: <trunc@shop.example.cn>\nSubj").encode()
FILES["unparseable-truncated-after-from.eml"] = crlf(
    "Date: " + DATE + "\nFrom: 张三 <zhang.san@shop.example.cn>\n").encode()
FILES["unparseable-bad-sender.eml"] = crlf(
    "Date: " + DATE + "\nFrom: 张三\nSubject: test\n\n正文\n").encode()

# ---------------------------------------------------------------------------------------------
# 7. A typical ~20 KB message for the timing check: GB18030 alternative reply with quoted
#    history and a photo.

b1, b2 = "mixed-20k", "alt-20k"
history = "".join("> 第%d行：终端无法开机，已尝试重启，仍然无法开机。\n" % i for i in range(60))
plain = "好的，我明天上午在店里等维修人员。\n\n在 2026年12月1日 10:30，posdesk客服 写道：\n" + history
html = "<div>好的，我明天上午在店里等维修人员。</div><blockquote>" + "".join(
    "<div>第%d行：终端无法开机，已尝试重启，仍然无法开机。</div>" % i for i in range(60)) + "</blockquote>"
photo = bytes((i * 37) & 0xFF for i in range(7000))
msg("perf-typical-20k.eml",
    std(word_b("回复：" + TAG_SUBJECT, "gb18030"), word_b("张三", "gb18030") + " <10001@qq.com>",
        ["In-Reply-To: " + ORIG, "References: " + ORIG,
         'Content-Type: multipart/mixed; boundary="%s"' % b1]),
    "--%s\nContent-Type: multipart/alternative; boundary=\"%s\"\n\n"
    "--%s\nContent-Type: text/plain; charset=\"gb18030\"\nContent-Transfer-Encoding: base64\n\n%s\n"
    "--%s\nContent-Type: text/html; charset=\"gb18030\"\nContent-Transfer-Encoding: base64\n\n%s\n"
    "--%s--\n\n"
    "--%s\nContent-Type: image/jpeg; name=\"IMG_0001.JPG\"\nContent-Transfer-Encoding: base64\n"
    "Content-Disposition: attachment; filename=\"IMG_0001.JPG\"\n\n%s\n--%s--\n"
    % (b1, b2, b2, b64(crlf(plain).encode("gb18030")), b2, b64(html.encode("gb18030")), b2, b1,
       b64(photo), b1))


def main():
    for old in os.listdir(HERE):
        if old.endswith(".eml") and old not in FILES:
            os.remove(os.path.join(HERE, old))
    for name, raw in sorted(FILES.items()):
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(raw)
    print("wrote %d files to %s" % (len(FILES), HERE), file=sys.stderr)


if __name__ == "__main__":
    main()
