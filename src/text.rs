//! Shortening text for people: evidence, messages and terminal output quote at most so many
//! characters of a value, and say so with an ellipsis.

/// `s` cut to at most `max` characters, with `…` appended when something was cut.
pub fn ellipsis(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((end, _)) => format!("{}…", &s[..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::ellipsis;

    #[test]
    fn cuts_on_characters_not_bytes() {
        assert_eq!(ellipsis("カード番号", 3), "カード…");
        assert_eq!(ellipsis("カード", 3), "カード");
        assert_eq!(ellipsis("", 0), "");
        assert_eq!(ellipsis("ab", 0), "…");
    }
}
