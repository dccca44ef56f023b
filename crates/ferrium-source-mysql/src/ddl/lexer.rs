//! Token-level helpers shared by the statement handlers: unwrapping MySQL executable
//! comments, tokenizing with sqlparser's MySQL tokenizer, a small cursor over the tokens,
//! and recovering the exact source text of a token range.
//!
//! sqlparser 0.64 parses column options and expressions well but rejects much of MySQL's
//! and MariaDB's table-level syntax (`ALTER TABLE … CONVERT TO`, `ENGINE=` in ALTER, `ADD (a,
//! b)`, `IF [NOT] EXISTS` on columns, `ALTER ONLINE|IGNORE`, `PAGE_CHECKSUM=`, partition
//! clauses…). The statement skeletons are therefore walked here token by token, and only
//! the pieces sqlparser handles (column options, expressions) are handed to its parser.

use sqlparser::dialect::MySqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// Replaces `/*!NNNNN … */` and MariaDB's `/*M!NNNNN … */` by their content, as the server
/// executes it; other comments and quoted text are left alone. A dump or a client may wrap
/// table options or whole clauses this way, and the server logs the statement verbatim.
pub(crate) fn unwrap_executable_comments(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    // Depth of executable comments we are inside: their `*/` must be dropped too.
    let mut open_exec = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' | b'"' | b'`' => {
                let end = quoted_end(bytes, i);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let exec_prefix = if bytes.get(i + 2) == Some(&b'!') {
                    Some(3)
                } else if bytes.get(i + 2) == Some(&b'M') && bytes.get(i + 3) == Some(&b'!') {
                    Some(4)
                } else {
                    None
                };
                match exec_prefix {
                    Some(prefix) => {
                        let mut j = i + prefix;
                        while j < bytes.len() && bytes[j].is_ascii_digit() {
                            j += 1;
                        }
                        out.push(' ');
                        open_exec += 1;
                        i = j;
                    }
                    None => {
                        // A plain comment: copy it whole so the tokenizer drops it.
                        let end = sql[i + 2..].find("*/").map_or(sql.len(), |p| i + 2 + p + 2);
                        out.push_str(&sql[i..end]);
                        i = end;
                    }
                }
            }
            b'*' if open_exec > 0 && bytes.get(i + 1) == Some(&b'/') => {
                open_exec -= 1;
                out.push(' ');
                i += 2;
            }
            _ => {
                // Copy one UTF-8 character.
                let len = utf8_len(c);
                let end = (i + len).min(sql.len());
                out.push_str(sql.get(i..end).unwrap_or(""));
                i = end;
            }
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// End (exclusive) of the quoted text starting at `start`, honouring doubled quotes and,
/// for string literals, backslash escapes.
fn quoted_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\\' && quote != b'`' {
            i += 2;
            continue;
        }
        if c == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// The statement text with its tokens (whitespace and comments removed).
pub(crate) struct Lexed {
    pub text: String,
    pub tokens: Vec<TokenWithSpan>,
    line_starts: Vec<usize>,
}

impl Lexed {
    pub fn new(text: String) -> Result<Self, String> {
        let dialect = MySqlDialect {};
        let tokens = Tokenizer::new(&dialect, &text)
            .tokenize_with_location()
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .collect();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Ok(Lexed {
            text,
            tokens,
            line_starts,
        })
    }

    /// Byte offset of a tokenizer location (1-based line and character column).
    fn offset(&self, line: u64, column: u64) -> usize {
        let Some(&start) = usize::try_from(line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| self.line_starts.get(l))
        else {
            return self.text.len();
        };
        let chars = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        let rest = self.text.get(start..).unwrap_or("");
        rest.char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The exact source text of a sqlparser span (end exclusive).
    pub fn source(&self, span: sqlparser::tokenizer::Span) -> &str {
        let from = self.offset(span.start.line, span.start.column);
        let to = self.offset(span.end.line, span.end.column);
        self.text.get(from..to.max(from)).unwrap_or("")
    }
}

/// The upper-cased word of an unquoted identifier or keyword token.
pub(crate) fn keyword(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

pub(crate) fn is_kw(token: &Token, kw: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
}

/// A name token's text: a backquoted or bare identifier, or (as MySQL accepts for
/// charsets and some names) a quoted string.
pub(crate) fn name_of(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) => Some(w.value.clone()),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.clone()),
        // The tokenizer reads `1abc` (identifiers may start with a digit) as a number.
        Token::Number(n, _) => Some(n.clone()),
        _ => None,
    }
}

/// A cursor over a slice of tokens.
pub(crate) struct Cursor<'a> {
    pub tokens: &'a [TokenWithSpan],
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(tokens: &'a [TokenWithSpan]) -> Self {
        Cursor { tokens, pos: 0 }
    }

    pub fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.pos).map(|t| &t.token)
    }

    pub fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.tokens.get(self.pos + n).map(|t| &t.token)
    }

    pub fn next(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.pos).map(|t| &t.token);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.tokens.len()
    }

    pub fn rest(&self) -> &'a [TokenWithSpan] {
        self.tokens.get(self.pos..).unwrap_or(&[])
    }

    pub fn peek_kw(&self, kw: &str) -> bool {
        self.peek().is_some_and(|t| is_kw(t, kw))
    }

    /// Consumes the keyword if it is next.
    pub fn eat_kw(&mut self, kw: &str) -> bool {
        if self.peek_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes the keyword sequence if all of it is next.
    pub fn eat_kws(&mut self, kws: &[&str]) -> bool {
        let all = kws
            .iter()
            .enumerate()
            .all(|(i, kw)| self.peek_at(i).is_some_and(|t| is_kw(t, kw)));
        if all {
            self.pos += kws.len();
        }
        all
    }

    pub fn eat_token(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn expect_kw(&mut self, kw: &str) -> Result<(), String> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(format!("expected {kw}, found {}", self.describe_next()))
        }
    }

    pub fn describe_next(&self) -> String {
        self.peek()
            .map_or_else(|| "end of statement".to_string(), |t| format!("`{t}`"))
    }

    /// An identifier (bare or backquoted).
    pub fn ident(&mut self) -> Result<String, String> {
        match self.peek() {
            Some(t @ (Token::Word(_) | Token::Number(_, _))) => {
                self.pos += 1;
                name_of(t).ok_or_else(|| "expected a name".to_string())
            }
            _ => Err(format!("expected a name, found {}", self.describe_next())),
        }
    }

    /// `name` or `db.name`; returns (database, name).
    pub fn qualified_name(&mut self) -> Result<(Option<String>, String), String> {
        let first = self.ident()?;
        if self.eat_token(&Token::Period) {
            let second = self.ident()?;
            Ok((Some(first), second))
        } else {
            Ok((None, first))
        }
    }

    /// Skips a balanced parenthesised group if one is next; returns the inner tokens.
    pub fn paren_group(&mut self) -> Option<&'a [TokenWithSpan]> {
        if self.peek() != Some(&Token::LParen) {
            return None;
        }
        let start = self.pos + 1;
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return self.tokens.get(start..self.pos - 1);
                    }
                }
                _ => {}
            }
        }
        // Unbalanced: hand back everything after the parenthesis.
        self.tokens.get(start..)
    }

    /// `[=] value` of a table or column option; the value is a name or string.
    pub fn option_value(&mut self) -> Option<String> {
        self.eat_token(&Token::Eq);
        let t = self.next()?;
        name_of(t)
    }
}

/// Splits tokens at commas outside parentheses.
pub(crate) fn split_top_level<'a>(
    tokens: &'a [TokenWithSpan],
    sep: &Token,
) -> Vec<&'a [TokenWithSpan]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            tok if depth == 0 && tok == sep => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// Column names of an index key list `(a, b(10) DESC, …)`: the leading name of each part.
/// Expression parts (`((a + 1))`) name no column and are left out.
pub(crate) fn key_columns(inner: &[TokenWithSpan]) -> Vec<String> {
    split_top_level(inner, &Token::Comma)
        .into_iter()
        .filter_map(|part| match part.first().map(|t| &t.token) {
            Some(t) if matches!(t, Token::Word(_)) => name_of(t),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_comments_are_unwrapped_but_strings_and_plain_comments_kept() {
        let sql =
            "CREATE TABLE t (a int) /*!50100 PARTITION BY HASH (a) */ /* note */ COMMENT '/*!x*/'";
        let out = unwrap_executable_comments(sql);
        assert!(out.contains(" PARTITION BY HASH (a) "), "{out}");
        assert!(!out.contains("/*!50100"));
        assert!(out.contains("/* note */"));
        assert!(out.contains("'/*!x*/'"));
        let maria = unwrap_executable_comments("/*M!100100 ALTER TABLE t ADD c int */");
        assert_eq!(maria.trim(), "ALTER TABLE t ADD c int");
    }

    #[test]
    fn source_recovers_exact_text_across_lines_and_multibyte() {
        let lexed = Lexed::new("SELECT 'é''x',\n  b'101'".to_string()).unwrap();
        let texts: Vec<&str> = lexed.tokens.iter().map(|t| lexed.source(t.span)).collect();
        assert_eq!(texts, vec!["SELECT", "'é''x'", ",", "b'101'"]);
    }

    #[test]
    fn key_columns_take_the_leading_name_of_each_part() {
        let lexed = Lexed::new("`a`, b(10) DESC, (c + 1)".to_string()).unwrap();
        assert_eq!(key_columns(&lexed.tokens), vec!["a", "b"]);
    }
}
