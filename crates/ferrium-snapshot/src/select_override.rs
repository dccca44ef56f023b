//! `snapshot.select.statement.overrides`: the select list that reads a table's columns,
//! in table order, out of the user's statement (aliased `o`), as Debezium maps a result
//! set to the table's columns by name. A column the statement does not return reads as
//! NULL, which the source turns into the column's default or fallback when it is required.

/// The select list over `o` for `table_columns`, given the names the statement returns;
/// an exact name match wins over a case-insensitive one.
pub fn projection<'a>(
    table_columns: impl IntoIterator<Item = &'a str>,
    returned: &[String],
    quote: impl Fn(&str) -> String,
) -> String {
    table_columns
        .into_iter()
        .map(|column| {
            returned
                .iter()
                .find(|r| r.as_str() == column)
                .or_else(|| returned.iter().find(|r| r.eq_ignore_ascii_case(column)))
                .map_or_else(|| "NULL".to_string(), |r| format!("o.{}", quote(r)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement as given, without the trailing semicolons a user may leave on it.
pub fn statement(given: &str) -> &str {
    given.trim().trim_end_matches(';').trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_matched_by_name_and_missing_ones_are_null() {
        let returned = ["ID".to_string(), "name".to_string()];
        let quote = |n: &str| format!("\"{n}\"");
        assert_eq!(
            projection(["id", "name", "extra"], &returned, quote),
            "o.\"ID\", o.\"name\", NULL"
        );
        assert_eq!(statement(" SELECT 1; "), "SELECT 1");
    }
}
