//! `Filter`: drops every record it is applied to; used with a predicate.

use ferrium_event::SourceRecord;

use crate::{Transform, TransformError};

pub struct Filter;

impl Transform for Filter {
    fn apply(&mut self, _record: SourceRecord) -> Result<Option<SourceRecord>, TransformError> {
        Ok(None)
    }
}
