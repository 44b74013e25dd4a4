//! Telling a text file from binary data, for the commonest mistake: a note, a lyrics file or an
//! HTML error page saved under a photo's or a recording's name. "A text file" helps a reader more
//! than "unknown format".

/// Whether the start of a file reads as text: valid UTF-8 without control characters other than
/// white space (a multi-byte character cut at the end of the inspected start still counts).
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if head.len() - e.valid_up_to() < 4 && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_told_apart_from_binary_junk() {
        assert!(looks_like_text(b"hello\n\tworld"));
        assert!(looks_like_text(b"<html><body>404 Not Found</body></html>"));
        // 'é' is two bytes: 300 of them cross the 1024-byte mark mid-character.
        assert!(looks_like_text("caf\u{e9} ".repeat(300).as_bytes()));
        assert!(!looks_like_text(&[0, 1, 2, 3, 200, 201]));
        assert!(!looks_like_text(b"text with a NUL\0 inside"));
        assert!(!looks_like_text(b""));
    }
}
