//! Which parts of a record an expression can reach, decided once from its text so that
//! the rest is never converted: a variable (`key`, `header`...) the text never names
//! cannot be read, and neither can a struct field whose name the text does not contain,
//! unless the expression can come by names at run time (`value[name]`, `Object.keys`,
//! `JSON.stringify`, `for...in`, spread, `get(name)`, `eval`...), in which case every
//! field is converted. Mentions are counted anywhere, strings and comments included, so
//! the test only ever errs towards converting more.

/// Text that lets an expression name properties it does not spell out.
const DYNAMIC_ACCESS: &[&str] = &[
    "[",
    "...",
    "\\",
    "Object",
    "JSON",
    "Reflect",
    "for",
    "get",
    "eval",
    "Function",
    "arguments",
    "prototype",
    "call",
    "apply",
    "bind",
];

/// The variables Debezium binds that the expression can reach.
#[derive(Debug, Clone, Copy)]
pub struct Uses {
    pub key: bool,
    pub value: bool,
    pub key_schema: bool,
    pub value_schema: bool,
    pub header: bool,
}

#[derive(Debug, Clone)]
pub struct Reach {
    pub uses: Uses,
    /// The expression's text when only the fields it names are reachable; `None` when
    /// every field is.
    named_fields_of: Option<String>,
}

impl Reach {
    pub fn of(expression: &str) -> Self {
        let dynamic = DYNAMIC_ACCESS.iter().any(|d| expression.contains(d));
        // `arguments` and `eval` reach the variables without naming them.
        let every_variable = expression.contains("arguments") || expression.contains("eval");
        let mentions = |name: &str| every_variable || expression.contains(name);
        Reach {
            uses: Uses {
                key: mentions("key"),
                value: mentions("value"),
                key_schema: mentions("keySchema"),
                value_schema: mentions("valueSchema"),
                header: mentions("header"),
            },
            named_fields_of: (!dynamic).then(|| expression.to_string()),
        }
    }

    /// Everything: for scripts run with the variables as globals.
    pub fn everything() -> Self {
        Reach {
            uses: Uses {
                key: true,
                value: true,
                key_schema: true,
                value_schema: true,
                header: true,
            },
            named_fields_of: None,
        }
    }

    pub fn field(&self, name: &str) -> bool {
        self.named_fields_of
            .as_deref()
            .is_none_or(|expression| expression.contains(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_named_variables_and_fields_are_reached() {
        let reach = Reach::of("value.op == 'u' && value.after.status == 'active'");
        assert!(reach.uses.value && !reach.uses.key && !reach.uses.header);
        assert!(!reach.uses.value_schema);
        assert!(reach.field("op") && reach.field("after") && reach.field("status"));
        assert!(!reach.field("source") && !reach.field("before") && !reach.field("email"));
    }

    #[test]
    fn names_found_at_run_time_reach_every_field() {
        for expression in [
            "value[k] == 1",
            "JSON.stringify(value).includes('x')",
            "Object.keys(value.after).length > 2",
            "value.get(name)",
            "({...value}).x",
            "(() => { for (const k in value) return k })()",
            "value.\\u006fp == 'c'",
        ] {
            assert!(Reach::of(expression).field("source"), "{expression}");
        }
        let everything = Reach::everything();
        assert!(everything.field("anything") && everything.uses.header);
        assert!(Reach::of("arguments[1].op").uses.value);
    }
}
