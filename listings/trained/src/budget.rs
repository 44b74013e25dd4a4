//! How much work a listing on the trained networks does in one run.
//!
//! The book's figures use the full counts ([`Budget::Book`]). Its notebook sets
//! `BOOK_BUDGET=notebook` in its first cell, because the full counts take about two minutes of
//! network evaluations on two cores and a notebook should run in one. Every count then shrinks to an
//! eighth (at least one): the same seeds, the same code, fewer crops, chains and samples. The
//! figures come out noisier and the values the notebook prints differ from the book's by their
//! sampling error, which the notebook says.

use anyhow::{Result, bail};

/// The environment variable that chooses the budget.
pub const VAR: &str = "BOOK_BUDGET";

/// How many crops, chains and samples a listing draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// The book's counts, as the listings' constants say.
    Book,
    /// An eighth of them, for the notebook.
    Notebook,
}

impl Budget {
    /// The budget [`VAR`] asks for: unset or `book` is the book's, `notebook` the notebook's.
    pub fn from_env() -> Result<Self> {
        match std::env::var(VAR) {
            Err(std::env::VarError::NotPresent) => Ok(Budget::Book),
            Ok(value) => Self::parse(&value),
            Err(std::env::VarError::NotUnicode(value)) => {
                bail!("{VAR}={value:?}: not UTF-8; expected `book` or `notebook`")
            }
        }
    }

    /// The budget a value of [`VAR`] names.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "" | "book" => Ok(Budget::Book),
            "notebook" => Ok(Budget::Notebook),
            other => bail!("{VAR}={other:?}: unknown budget; expected `book` or `notebook`"),
        }
    }

    /// A count the book's listing uses in full, under this budget.
    pub fn count(self, full: usize) -> usize {
        match self {
            Budget::Book => full,
            Budget::Notebook => full.div_ceil(8).max(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_keeps_every_count_and_the_notebook_keeps_an_eighth() {
        for full in [1, 2, 4, 6, 12, 32, 128] {
            assert_eq!(Budget::Book.count(full), full);
        }
        let eighths: Vec<usize> = [1, 2, 4, 6, 12, 32, 128]
            .iter()
            .map(|&n| Budget::Notebook.count(n))
            .collect();
        assert_eq!(eighths, [1, 1, 1, 1, 2, 4, 16]);
    }

    #[test]
    fn a_misspelt_budget_is_an_error_that_names_the_variable_and_the_value() {
        assert_eq!(Budget::parse("").unwrap(), Budget::Book);
        assert_eq!(Budget::parse("book").unwrap(), Budget::Book);
        assert_eq!(Budget::parse("notebook").unwrap(), Budget::Notebook);
        let error = Budget::parse("Notebook").unwrap_err().to_string();
        assert!(
            error.contains("BOOK_BUDGET") && error.contains("\"Notebook\""),
            "{error}"
        );
    }
}
