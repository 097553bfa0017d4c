//! HTML to plain text for HTML-only mail: block elements become line breaks, `<blockquote>`
//! becomes `> ` quoting (so `reply_text` can strip it like plain-text quoting), `<head>`,
//! `<style>`, `<script>` and `<title>` vanish, entities are decoded, whitespace collapses
//! except inside `<pre>`. Not a renderer: no CSS (`display:none` text is kept), no tables.

/// Converts an HTML document or fragment to readable text.
pub fn html_to_text(html: &str) -> String {
    let mut w = Writer::default();
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut skip_until: Option<String> = None;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            if html[i..].starts_with("<!--") {
                i = match html[i + 4..].find("-->") {
                    Some(end) => i + 4 + end + 3,
                    None => bytes.len(),
                };
                continue;
            }
            if let Some(tag) = parse_tag(&html[i..]) {
                i += tag.len;
                if let Some(until) = &skip_until {
                    if tag.closing && &tag.name == until {
                        skip_until = None;
                    }
                    continue;
                }
                match tag.name.as_str() {
                    "head" | "style" | "script" | "title" | "template"
                        if !tag.closing && !tag.self_closing =>
                    {
                        skip_until = Some(tag.name.clone());
                    }
                    "br" => w.newline(),
                    "blockquote" => {
                        w.ensure_newline();
                        if tag.closing {
                            w.quote = w.quote.saturating_sub(1);
                        } else {
                            w.quote += 1;
                        }
                    }
                    "pre" => {
                        w.ensure_newline();
                        w.pre = !tag.closing;
                    }
                    "li" if !tag.closing => {
                        w.ensure_newline();
                        w.text("- ");
                    }
                    "td" | "th" if !tag.closing => w.space(),
                    "hr" => {
                        w.ensure_newline();
                        w.text("----------");
                        w.newline();
                    }
                    "p" | "div" | "tr" | "table" | "ul" | "ol" | "li" | "h1" | "h2" | "h3"
                    | "h4" | "h5" | "h6" | "section" | "article" | "header" | "footer"
                    | "address" | "center" | "dl" | "dt" | "dd" | "form" | "fieldset" => {
                        w.ensure_newline()
                    }
                    _ => {}
                }
                continue;
            }
        }
        // Text run up to the next '<'.
        let next = i + html[i..].chars().next().map_or(1, char::len_utf8);
        let end = html[next..].find('<').map_or(bytes.len(), |p| next + p);
        if skip_until.is_none() {
            w.text_html(&html[i..end]);
        }
        i = end;
    }
    w.finish()
}

struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    len: usize,
}

/// Parses a tag at the start of `s` (which begins with '<'); quotes inside the tag are honoured.
fn parse_tag(s: &str) -> Option<Tag> {
    let b = s.as_bytes();
    let mut k = 1;
    let closing = b.get(1) == Some(&b'/');
    if closing {
        k = 2;
    }
    let first = *b.get(k)?;
    if !(first.is_ascii_alphabetic() || first == b'!' || first == b'?') {
        return None;
    }
    let name_start = k;
    while k < b.len()
        && (b[k].is_ascii_alphanumeric() || b[k] == b'!' || b[k] == b'?' || b[k] == b':')
    {
        k += 1;
    }
    let name = s[name_start..k].to_ascii_lowercase();
    let mut quote: Option<u8> = None;
    while k < b.len() {
        match (quote, b[k]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"') | (None, b'\'') => quote = Some(b[k]),
            (None, b'>') => {
                let self_closing = k > 0 && b[k - 1] == b'/';
                return Some(Tag {
                    name,
                    closing,
                    self_closing,
                    len: k + 1,
                });
            }
            _ => {}
        }
        k += 1;
    }
    None
}

#[derive(Default)]
struct Writer {
    out: String,
    /// Nothing but the quote prefix has been written on the current line.
    line_empty: bool,
    started: bool,
    pending_space: bool,
    /// Consecutive newlines written at the end of `out`.
    newlines: usize,
    quote: usize,
    pre: bool,
}

impl Writer {
    /// Before the first character of a line: the quote prefix.
    fn begin_line(&mut self) {
        if !self.started || self.line_empty {
            self.started = true;
            for _ in 0..self.quote {
                self.out.push_str("> ");
            }
            self.line_empty = false;
            self.newlines = 0;
        }
    }

    fn push_char(&mut self, c: char) {
        if c == ' ' && !self.pre {
            if self.started && !self.line_empty {
                self.pending_space = true;
            }
            return;
        }
        self.begin_line();
        if self.pending_space {
            self.out.push(' ');
            self.pending_space = false;
        }
        self.out.push(c);
    }

    fn text(&mut self, s: &str) {
        for c in s.chars() {
            self.push_char(c);
        }
    }

    fn space(&mut self) {
        if self.started && !self.line_empty {
            self.pending_space = true;
        }
    }

    /// Text from the document: entities decoded, whitespace collapsed outside `<pre>`.
    fn text_html(&mut self, s: &str) {
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            let (c, used) = match c {
                '&' => entity(rest).unwrap_or(('&', 1)),
                _ => (c, c.len_utf8()),
            };
            rest = &rest[used..];
            if c == '\u{a0}' {
                // A non-breaking space is real spacing (QQ Mail indents with it): kept.
                self.begin_line();
                if self.pending_space {
                    self.out.push(' ');
                    self.pending_space = false;
                }
                self.out.push(' ');
            } else if self.pre && c == '\n' {
                self.newline();
            } else if self.pre && c == '\r' {
            } else if c.is_whitespace() && !self.pre {
                self.push_char(' ');
            } else {
                self.push_char(c);
            }
        }
    }

    fn newline(&mut self) {
        if !self.started {
            return;
        }
        while self.out.ends_with(' ') && !self.out.ends_with("> ") {
            self.out.pop();
        }
        if self.newlines < 2 {
            self.out.push('\n');
            self.newlines += 1;
        }
        self.line_empty = true;
        self.pending_space = false;
    }

    fn ensure_newline(&mut self) {
        if self.started && !self.line_empty {
            self.newline();
        }
    }

    fn finish(self) -> String {
        let lines: Vec<&str> = self.out.lines().map(str::trim_end).collect();
        let mut out = String::with_capacity(self.out.len());
        let mut blank_run = 0;
        for line in lines {
            let is_blank = line.trim_start_matches(['>', ' ']).is_empty();
            if is_blank {
                blank_run += 1;
                if blank_run > 1 {
                    continue;
                }
            } else {
                blank_run = 0;
            }
            out.push_str(line);
            out.push('\n');
        }
        out.trim().to_string()
    }
}

/// Decodes an entity at the start of `s` (`&amp;`, `&#20013;`, `&#x4e2d;`); returns the char and
/// the bytes consumed.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.char_indices().take(12).find(|(_, c)| *c == ';')?.0;
    let body = &s[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let n = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        char::from_u32(n).unwrap_or('\u{fffd}')
    } else {
        match body {
            "nbsp" => '\u{a0}',
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "copy" => '©',
            "reg" => '®',
            "middot" => '·',
            "hellip" => '…',
            "mdash" => '—',
            "ndash" => '–',
            "ldquo" => '“',
            "rdquo" => '”',
            "lsquo" => '‘',
            "rsquo" => '’',
            "yen" => '¥',
            "times" => '×',
            "emsp" | "ensp" | "thinsp" => ' ',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_breaks_entities() {
        let html = "<html><head><title>x</title><style>p{}</style></head><body>\
            <div>您好，</div><div>终端&nbsp;&nbsp;无法开机&amp;重启</div><p>谢谢<br>张三</p>\
            <!-- c --><script>var a=1;</script></body></html>";
        assert_eq!(
            html_to_text(html),
            "您好，\n终端  无法开机&重启\n谢谢\n张三"
        );
    }

    #[test]
    fn blockquote_becomes_quote_prefix() {
        let html = "<div>OK</div><blockquote><div>old line</div><div>two</div></blockquote>";
        assert_eq!(html_to_text(html), "OK\n> old line\n> two");
    }

    #[test]
    fn whitespace_collapses_and_numeric_entities() {
        assert_eq!(
            html_to_text("a \n\t b &#20013;&#x6587; <b>c</b>"),
            "a b 中文 c"
        );
        assert_eq!(html_to_text("<pre>a  b\nc</pre>"), "a  b\nc");
        assert_eq!(html_to_text("1 < 2 &unknown; 3"), "1 < 2 &unknown; 3");
    }
}
