//! The embedded JavaScript engine (QuickJS through `rquickjs`): one runtime per
//! configured transform, the expression compiled once, evaluated per record with
//! Debezium's variables.
//!
//! Debezium evaluates the expression as a JSR-223 script whose variables are the
//! bindings. Here it is compiled once into
//! `function (key, value, keySchema, valueSchema, topic, header) { return (EXPR); }`,
//! which gives the same answer for every expression. A script that is not an expression
//! (`var op = value.op; op == 'c'`) cannot be wrapped so; it runs as a script with the
//! variables as globals, compiled on each record, which is correct but slower.
//!
//! `Transform` must be `Send`: rquickjs's `parallel` feature makes the runtime `Send`
//! (it guards it with a lock, and tells QuickJS the current thread's stack on every
//! call, so its stack-overflow check holds on whichever thread the transform runs).
//! Nothing JavaScript is kept outside the runtime between records: the compiled function
//! and the schema objects live in the runtime's global `__ferrium`, so no handle that
//! is not `Send` is ever stored.

use ferrium_event::SourceRecord;
use rquickjs::convert::Coerced;
use rquickjs::{Context, Ctx, FromJs, Function, Runtime, Value as JsValue};

use super::binding::{Binder, Bindings, Helpers};
use super::reach::Reach;

const PRELUDE: &str = include_str!("prelude.js");

/// What the expression returned, as far as the transforms care.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `null` or `undefined` (Graal hands both to Java as null).
    Null,
    Boolean(bool),
    String(String),
    /// Anything else, as JavaScript prints it, for the error message.
    Other(String),
}

enum Form {
    /// Compiled once into `__ferrium.run`.
    Function,
    /// Statements: evaluated as a script per record.
    Script,
}

pub struct JsEngine {
    expression: String,
    form: Form,
    binder: Binder,
    // The context before the runtime, so it is dropped first.
    context: Context,
    _runtime: Runtime,
}

impl JsEngine {
    /// Compiles `expression`; the error is JavaScript's syntax error.
    pub fn compile(expression: &str) -> Result<Self, String> {
        let runtime = Runtime::new().map_err(|e| e.to_string())?;
        let context = Context::full(&runtime).map_err(|e| e.to_string())?;
        let form = context.with(|ctx| -> Result<Form, String> {
            ctx.eval::<(), _>(PRELUDE)
                .map_err(|e| exception_text(&ctx, e))?;
            match ctx.eval::<Function, _>(wrap_as_function(expression)) {
                Ok(run) => {
                    let helpers: rquickjs::Object = ctx
                        .globals()
                        .get("__ferrium")
                        .map_err(|e| exception_text(&ctx, e))?;
                    let install: Function = helpers
                        .get("install")
                        .map_err(|e| exception_text(&ctx, e))?;
                    install
                        .call::<_, ()>((run,))
                        .map_err(|e| exception_text(&ctx, e))?;
                    Ok(Form::Function)
                }
                Err(e) => {
                    // Not an expression: the pending exception is dropped, and the text is
                    // checked as statements, as a function body, which compiles without
                    // running it; its syntax error is the one users can act on.
                    let _ = exception_text(&ctx, e);
                    match ctx.eval::<Function, _>(format!("(function () {{\n{expression}\n}})")) {
                        Ok(_) => Ok(Form::Script),
                        Err(e) => Err(exception_text(&ctx, e)),
                    }
                }
            }
        })?;
        let reach = match form {
            Form::Function => Reach::of(expression),
            // A script can reach its globals in ways a text search does not see.
            Form::Script => Reach::everything(),
        };
        Ok(JsEngine {
            expression: expression.to_string(),
            form,
            binder: Binder::new(reach),
            context,
            _runtime: runtime,
        })
    }

    /// Evaluates the expression for `record`; the error is JavaScript's (a `TypeError`
    /// reading a property of null, a `ReferenceError`...).
    pub fn eval(&mut self, record: &SourceRecord) -> Result<Outcome, String> {
        let JsEngine {
            expression,
            form,
            binder,
            context,
            ..
        } = self;
        context.with(|ctx| {
            let result = (|| -> rquickjs::Result<JsValue> {
                let helpers = Helpers::load(&ctx)?;
                let b = binder.bind(&ctx, &helpers, record)?;
                match (form, &helpers.run) {
                    (Form::Function, Some(run)) => run.call((
                        b.key,
                        b.value,
                        b.key_schema,
                        b.value_schema,
                        b.topic,
                        b.header,
                    )),
                    _ => {
                        set_globals(&ctx, b)?;
                        ctx.eval(expression.as_str())
                    }
                }
            })();
            match result {
                Ok(value) => Ok(outcome(&ctx, value)),
                Err(e) => Err(exception_text(&ctx, e)),
            }
        })
    }
}

/// The expression as the body of a function of Debezium's variables. Trailing semicolons
/// end a script statement but not an expression, so they are dropped; the expression
/// stands on lines of its own so a trailing `//` comment cannot swallow the `)`.
fn wrap_as_function(expression: &str) -> String {
    let body = expression.trim_end().trim_end_matches(';');
    format!(
        "(function (key, value, keySchema, valueSchema, topic, header) {{ return (\n{body}\n); }})"
    )
}

fn set_globals<'js>(ctx: &Ctx<'js>, b: Bindings<'js>) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    globals.set("key", b.key)?;
    globals.set("value", b.value)?;
    globals.set("keySchema", b.key_schema)?;
    globals.set("valueSchema", b.value_schema)?;
    globals.set("topic", b.topic)?;
    globals.set("header", b.header)
}

fn outcome<'js>(ctx: &Ctx<'js>, value: JsValue<'js>) -> Outcome {
    if value.is_null() || value.is_undefined() {
        return Outcome::Null;
    }
    if let Some(b) = value.as_bool() {
        return Outcome::Boolean(b);
    }
    if let Some(s) = value.as_string() {
        if let Ok(s) = s.to_string() {
            return Outcome::String(s);
        }
    }
    Outcome::Other(display(ctx, value))
}

fn display<'js>(ctx: &Ctx<'js>, value: JsValue<'js>) -> String {
    Coerced::<String>::from_js(ctx, value)
        .map(|c| c.0)
        .unwrap_or_else(|_| "(a value that cannot be printed)".to_string())
}

/// The text of a JavaScript error: `TypeError: cannot read property 'op' of null`.
fn exception_text(ctx: &Ctx<'_>, error: rquickjs::Error) -> String {
    if !matches!(error, rquickjs::Error::Exception) {
        return error.to_string();
    }
    let thrown = ctx.catch();
    match thrown.as_exception() {
        Some(exception) => {
            let name: Option<String> = exception.get("name").ok();
            let message = exception.message().unwrap_or_default();
            match name {
                Some(name) if !name.is_empty() => format!("{name}: {message}"),
                _ => message,
            }
        }
        None => format!("uncaught {}", display(ctx, thrown)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_run_as_a_script_and_trailing_semicolons_are_fine() {
        let record = SourceRecord::new("dummy1".into(), None, None);
        for script in [
            "topic == 'dummy1';",
            "var t = topic; t.startsWith('dummy')",
            "topic == 'dummy1' // the first dummy",
        ] {
            let mut engine = JsEngine::compile(script).unwrap();
            assert_eq!(engine.eval(&record), Ok(Outcome::Boolean(true)), "{script}");
        }
    }

    #[test]
    fn a_syntax_error_is_reported_at_compilation() {
        let err = JsEngine::compile("topic != 'd").err().unwrap();
        assert!(err.contains("SyntaxError"), "{err}");
    }

    #[test]
    fn results_are_told_apart() {
        let record = SourceRecord::new("t".into(), None, None);
        let eval = |e: &str| JsEngine::compile(e).unwrap().eval(&record).unwrap();
        assert_eq!(eval("undefined"), Outcome::Null);
        assert_eq!(eval("null"), Outcome::Null);
        assert_eq!(eval("'x' + topic"), Outcome::String("xt".into()));
        assert_eq!(eval("1"), Outcome::Other("1".into()));
    }

    #[test]
    fn a_run_time_error_is_javascripts_message() {
        let record = SourceRecord::new("t".into(), None, None);
        let err = JsEngine::compile("value.op == 'd'")
            .unwrap()
            .eval(&record)
            .unwrap_err();
        assert!(err.starts_with("TypeError"), "{err}");
        let err = JsEngine::compile("nope > 1")
            .unwrap()
            .eval(&record)
            .unwrap_err();
        assert!(err.contains("nope"), "{err}");
        let err = JsEngine::compile("(() => { throw 'boom' })()")
            .unwrap()
            .eval(&record)
            .unwrap_err();
        assert!(err.contains("boom"), "{err}");
    }

    #[test]
    fn the_engine_is_send() {
        fn is_send<T: Send>() {}
        is_send::<JsEngine>();
    }
}
