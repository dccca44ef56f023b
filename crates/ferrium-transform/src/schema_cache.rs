//! Derived schemas, one per input schema. The converter caches its work by schema
//! identity (`Arc` address), so a transform that builds a new schema per record would
//! defeat that cache and rebuild the JSON schema text for every event.

use std::collections::HashMap;
use std::sync::Arc;

use ferrium_event::Schema;

/// At most this many inputs are remembered (Kafka's SMTs use an LRU of 16; schemas per
/// connector are few, so a bigger bound that is simply cleared when full is enough).
const CAPACITY: usize = 1024;

#[derive(Default)]
pub struct SchemaCache {
    /// Keyed by the input's address; the input is kept so the address is not reused.
    entries: HashMap<usize, (Arc<Schema>, Arc<Schema>)>,
}

impl SchemaCache {
    pub fn new() -> Self {
        SchemaCache::default()
    }

    /// The schema derived from `input`, built by `derive` the first time only.
    pub fn get_or_insert<E>(
        &mut self,
        input: &Arc<Schema>,
        derive: impl FnOnce(&Schema) -> Result<Schema, E>,
    ) -> Result<Arc<Schema>, E> {
        let key = Arc::as_ptr(input) as usize;
        if let Some((_, derived)) = self.entries.get(&key) {
            return Ok(derived.clone());
        }
        if self.entries.len() >= CAPACITY {
            self.entries.clear();
        }
        let derived = Arc::new(derive(input)?);
        self.entries.insert(key, (input.clone(), derived.clone()));
        Ok(derived)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrium_event::SchemaType;

    #[test]
    fn the_same_input_gives_the_same_derived_schema() {
        let mut cache = SchemaCache::new();
        let input = Arc::new(Schema::of(SchemaType::Int32));
        let mut calls = 0;
        let mut derive = |s: &Schema| -> Result<Schema, ()> {
            calls += 1;
            Ok(s.clone().optional())
        };
        let a = cache.get_or_insert(&input, &mut derive).unwrap();
        let b = cache.get_or_insert(&input, &mut derive).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(calls, 1);
        assert!(a.optional);
    }
}
