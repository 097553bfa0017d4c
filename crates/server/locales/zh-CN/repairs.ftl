# Repair and field service (issue 6).
binding-end-loaned-out = 借出备用机（身份转至备用机）
binding-end-loaner-returned = 备用机归还（身份转回原终端）
email-loaner-overdue-subject = 备用机 { $sn } 逾期未还
email-loaner-overdue-body =
    商户 { $merchant } 借用的备用机 { $sn } 应于 { $due_at } 归还，目前仍未归还，请跟进。
email-ticket-low-rating-subject = 工单 { $number } 收到 { $stars } 星低分评价
email-ticket-low-rating-body =
    商户对工单 { $number } 的服务评价为 { $stars } 星：{ $comment }
    请回访商户并在回访队列中记录处理结果。
fb-title = 服务确认与评价
fb-ticket = 工单
fb-stars = 评分（1–5 星）
fb-comment = 意见（选填）
fb-hint = 提交评价即确认问题已解决，工单随即关闭；3 个工作日内未确认的将自动关闭。
fb-submit = 提交评价
fb-thanks = 感谢您的评价：
fb-closed = 该工单已自动关闭，评价入口已失效。如问题仍在，请重新报修。
fb-follow-ups-title = 低分回访
fb-follow-ups-intro = 1–2 星的评价需由主管回访商户并记录处理结果。
fb-follow-ups-empty = 目前没有待回访的低分评价。
fb-follow-up-note = 回访记录
fb-follow-up-done = 完成回访
rep-tech-suggested-first = { $name }（推荐 · { $point } · 在办 { $load }）
rep-tech-suggested = { $name }（{ $point } · 在办 { $load }）
