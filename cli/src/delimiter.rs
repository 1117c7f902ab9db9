//! The character that separates a CSV file's cells: `,`, `;` (spreadsheets in locales whose decimal
//! mark is a comma) or a tab, given by `--delimiter` or detected from the file's first line.

use std::fmt;
use std::str::FromStr;

/// One of the three cell separators the reader knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    Comma,
    Semicolon,
    Tab,
}

impl Separator {
    /// The three, in the order that breaks ties in detection (comma first: it is the default).
    const ALL: [Separator; 3] = [Separator::Comma, Separator::Semicolon, Separator::Tab];

    /// The byte the CSV reader splits at.
    pub fn byte(self) -> u8 {
        match self {
            Separator::Comma => b',',
            Separator::Semicolon => b';',
            Separator::Tab => b'\t',
        }
    }

    /// The other two, as a message suggests them: `"';' or tabs"` and `"--delimiter ';' or
    /// --delimiter tab"` for a comma (quoted as a shell needs them).
    fn alternatives(self) -> (&'static str, &'static str) {
        match self {
            Separator::Comma => ("';' or tabs", "--delimiter ';' or --delimiter tab"),
            Separator::Semicolon => ("',' or tabs", "--delimiter , or --delimiter tab"),
            Separator::Tab => ("',' or ';'", "--delimiter , or --delimiter ';'"),
        }
    }
}

/// `','`, `';'` or `tab`, as messages name a separator.
impl fmt::Display for Separator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Separator::Comma => "','",
            Separator::Semicolon => "';'",
            Separator::Tab => "tab",
        })
    }
}

/// What `--delimiter` asks for: a separator, or `auto` (the default) to detect it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// Detected from the first line, see [`detect`].
    #[default]
    Auto,
    /// Given by the user.
    Given(Separator),
}

/// Why a value of `--delimiter` was refused.
#[derive(Debug, thiserror::Error)]
#[error("cells are separated by ',', ';' or tabs: give ',', ';', tab (or \\t) or auto")]
pub struct DelimiterError;

/// `,` `;` `tab` `\t` (the two characters, or a tab itself) and `auto`, as `--delimiter` takes them.
impl FromStr for Delimiter {
    type Err = DelimiterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "auto" => Delimiter::Auto,
            "," => Delimiter::Given(Separator::Comma),
            ";" => Delimiter::Given(Separator::Semicolon),
            "tab" | "\\t" | "\t" => Delimiter::Given(Separator::Tab),
            _ => return Err(DelimiterError),
        })
    }
}

/// How the separator in use was chosen, for messages about a file read with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Found most often in the first line.
    Detected,
    /// The first line holds none of the three: a comma, the default.
    Default,
    /// Given by `--delimiter`.
    Given,
}

/// The separator a file is read with, and how it was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub separator: Separator,
    pub origin: Origin,
}

impl Chosen {
    /// The separator `delimiter` names, or the one [`detect`] finds in `bytes`.
    pub fn for_file(delimiter: Delimiter, bytes: &[u8]) -> Chosen {
        match delimiter {
            Delimiter::Given(separator) => Chosen { separator, origin: Origin::Given },
            Delimiter::Auto => match detect(bytes) {
                Some(separator) => Chosen { separator, origin: Origin::Detected },
                None => Chosen { separator: Separator::Comma, origin: Origin::Default },
            },
        }
    }

    /// The end of a message about a file that has one column when split with this separator: the
    /// separator, how it was chosen, and the `--delimiter` values that would split it otherwise.
    pub fn one_column_hint(&self) -> String {
        let origin = match self.origin {
            Origin::Detected => "detected from its first line",
            Origin::Default => "the default: its first line holds no ',', ';' or tab",
            Origin::Given => "as --delimiter says",
        };
        let (others, options) = self.separator.alternatives();
        format!(
            "split at {} ({origin}), and X and Y need one each; if its cells are separated by {others}, give {options}",
            self.separator
        )
    }
}

/// The separator that occurs most often outside quotes in the first line of `bytes` (ties go to
/// the comma, then the semicolon), or `None` when the line holds none of the three.
///
/// The first line ends at the first line break outside quotes (a quoted header cell may span
/// lines); `""` inside a quoted cell toggles the quote state twice, so it needs no special case.
pub fn detect(bytes: &[u8]) -> Option<Separator> {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = Separator::ALL.iter().position(|s| s.byte() == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let most = *counts.iter().max().expect("three counts");
    (most > 0).then(|| Separator::ALL[counts.iter().position(|&c| c == most).expect("the maximum is one of them")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_most_frequent_separator_outside_quotes() {
        assert_eq!(detect(b"a,b,c\n1,2,3\n"), Some(Separator::Comma));
        assert_eq!(detect(b"a;b;c\n1,5;2,5;3\n"), Some(Separator::Semicolon));
        assert_eq!(detect(b"a\tb\tc\r\n1\t2\t3\r\n"), Some(Separator::Tab));
        // Only the first line counts, and separators inside quotes do not.
        assert_eq!(detect(b"\"a,1\";\"b,2\";c\n1,2,3,4,5\n"), Some(Separator::Semicolon));
        assert_eq!(detect(b"\"x\ny,z,w\";v\n1,2\n"), Some(Separator::Semicolon));
        assert_eq!(detect(b"\"say \"\"a,b\"\"\"\tc\n"), Some(Separator::Tab));
        // Ties go to the comma, then the semicolon; none found is None.
        assert_eq!(detect(b"a,b;c\n"), Some(Separator::Comma));
        assert_eq!(detect(b"a;b\tc\n"), Some(Separator::Semicolon));
        assert_eq!(detect(b"a b c\n1,2\n"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn parses_delimiter_values() {
        let parse = |text: &str| text.parse::<Delimiter>().map_err(|e| e.to_string());
        assert_eq!(parse("auto"), Ok(Delimiter::Auto));
        assert_eq!(parse(","), Ok(Delimiter::Given(Separator::Comma)));
        assert_eq!(parse(";"), Ok(Delimiter::Given(Separator::Semicolon)));
        for tab in ["tab", "\\t", "\t"] {
            assert_eq!(parse(tab), Ok(Delimiter::Given(Separator::Tab)));
        }
        assert_eq!(
            parse("|"),
            Err("cells are separated by ',', ';' or tabs: give ',', ';', tab (or \\t) or auto".into())
        );
    }

    #[test]
    fn a_given_delimiter_wins_over_detection() {
        let chosen = Chosen::for_file(Delimiter::Given(Separator::Semicolon), b"a,b,c\n");
        assert_eq!(chosen, Chosen { separator: Separator::Semicolon, origin: Origin::Given });
        let chosen = Chosen::for_file(Delimiter::Auto, b"a b\n");
        assert_eq!(chosen, Chosen { separator: Separator::Comma, origin: Origin::Default });
        assert_eq!(
            chosen.one_column_hint(),
            "split at ',' (the default: its first line holds no ',', ';' or tab), and X and Y need one each; \
             if its cells are separated by ';' or tabs, give --delimiter ';' or --delimiter tab"
        );
    }
}
