//! What becomes of deletes and tombstones: `delete.tombstone.handling.mode`, or, when it
//! is not set, the options it replaced (`delete.handling.mode`, `drop.tombstones`) read
//! as Debezium 3.0/3.1 read them.

use crate::{ConfigProblem, Props};

pub(super) const MODE: &str = "delete.tombstone.handling.mode";
pub(super) const LEGACY_DELETES: &str = "delete.handling.mode";
pub(super) const LEGACY_TOMBSTONES: &str = "drop.tombstones";

/// The output for a delete event (`after` null, `before` not null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum OnDelete {
    Drop,
    /// Value null under the `after` field's schema: not a Kafka tombstone, but what
    /// sinks (Debezium's JDBC sink among them) read as a flattened delete.
    NullValue,
    /// Value and value schema null: a Kafka tombstone.
    Tombstone,
    /// The `before` image with `__deleted` = `"true"`.
    Rewrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DeleteHandling {
    pub(super) on_delete: OnDelete,
    /// Whether Debezium's own tombstones (value null) pass.
    pub(super) keep_tombstones: bool,
}

impl DeleteHandling {
    /// In rewrite modes every row gets `__deleted`.
    pub(super) fn rewrites(self) -> bool {
        self.on_delete == OnDelete::Rewrite
    }

    pub(super) fn from_props(props: &Props) -> Result<Self, ConfigProblem> {
        let handling = |on_delete, keep_tombstones| DeleteHandling {
            on_delete,
            keep_tombstones,
        };
        // Debezium 3.0/3.1 took the old options whenever the new one was blank; 3.2
        // removed them and defaults to `tombstone`. Both are honoured: the old options
        // only when one of them is given, the 3.2 default otherwise.
        if !props.is_set(MODE)
            && (props.get(LEGACY_DELETES).is_some() || props.get(LEGACY_TOMBSTONES).is_some())
        {
            let deletes = props.choice(LEGACY_DELETES, &["drop", "rewrite", "none"], "drop")?;
            let keep_tombstones = !props.bool(LEGACY_TOMBSTONES, true)?;
            let on_delete = match deletes {
                "rewrite" => OnDelete::Rewrite,
                "none" => OnDelete::NullValue,
                _ => OnDelete::Drop,
            };
            return Ok(handling(on_delete, keep_tombstones));
        }
        let mode = if props.is_set(MODE) {
            props.choice(
                MODE,
                &[
                    "drop",
                    "tombstone",
                    "rewrite",
                    "rewrite-with-tombstone",
                    "delete-to-tombstone",
                ],
                "tombstone",
            )?
        } else {
            "tombstone"
        };
        Ok(match mode {
            "drop" => handling(OnDelete::Drop, false),
            "rewrite" => handling(OnDelete::Rewrite, false),
            "rewrite-with-tombstone" => handling(OnDelete::Rewrite, true),
            "delete-to-tombstone" => handling(OnDelete::Tombstone, false),
            _ => handling(OnDelete::NullValue, false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handling(pairs: &[(&str, &str)]) -> DeleteHandling {
        DeleteHandling::from_props(&Props::of(pairs)).unwrap()
    }

    fn h(on_delete: OnDelete, keep_tombstones: bool) -> DeleteHandling {
        DeleteHandling {
            on_delete,
            keep_tombstones,
        }
    }

    #[test]
    fn the_five_modes_and_the_default() {
        assert_eq!(handling(&[]), h(OnDelete::NullValue, false));
        assert_eq!(handling(&[(MODE, "drop")]), h(OnDelete::Drop, false));
        assert_eq!(
            handling(&[(MODE, "tombstone")]),
            h(OnDelete::NullValue, false)
        );
        assert_eq!(handling(&[(MODE, "Rewrite")]), h(OnDelete::Rewrite, false));
        assert_eq!(
            handling(&[(MODE, "rewrite-with-tombstone")]),
            h(OnDelete::Rewrite, true)
        );
        assert_eq!(
            handling(&[(MODE, "delete-to-tombstone")]),
            h(OnDelete::Tombstone, false)
        );
        let err = DeleteHandling::from_props(&Props::of(&[(MODE, "jbsdfkjsd")])).unwrap_err();
        assert!(err.0.contains(MODE), "{err}");
    }

    #[test]
    fn the_old_options_apply_only_without_the_new_one() {
        assert_eq!(
            handling(&[(LEGACY_DELETES, "drop")]),
            h(OnDelete::Drop, false)
        );
        assert_eq!(
            handling(&[(LEGACY_DELETES, "none")]),
            h(OnDelete::NullValue, false)
        );
        assert_eq!(
            handling(&[(LEGACY_DELETES, "rewrite")]),
            h(OnDelete::Rewrite, false)
        );
        assert_eq!(
            handling(&[(LEGACY_DELETES, "rewrite"), (LEGACY_TOMBSTONES, "false")]),
            h(OnDelete::Rewrite, true)
        );
        // Only `drop.tombstones=false`: deletes dropped (the old default), tombstones kept,
        // a combination none of the five modes has.
        assert_eq!(
            handling(&[(LEGACY_TOMBSTONES, "false")]),
            h(OnDelete::Drop, true)
        );
        assert_eq!(
            handling(&[
                (MODE, "rewrite"),
                (LEGACY_DELETES, "none"),
                (LEGACY_TOMBSTONES, "false")
            ]),
            h(OnDelete::Rewrite, false)
        );
        assert!(DeleteHandling::from_props(&Props::of(&[(LEGACY_DELETES, "bad")])).is_err());
        assert!(DeleteHandling::from_props(&Props::of(&[(LEGACY_TOMBSTONES, "maybe")])).is_err());
    }
}
