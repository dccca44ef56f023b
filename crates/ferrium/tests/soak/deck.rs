//! The faults a soak draws from, and the deck it draws them with: every kind once in a
//! shuffled deck, a new shuffle when it runs out, so a run of N faults applies every kind
//! about N/17 times and the seed alone decides the order. `FERRIUM_SOAK_ONLY` narrows the
//! deck to the kinds whose names contain one of its comma-separated words, to replay one
//! kind of fault many times (`FERRIUM_SOAK_ONLY="restart kafka"`).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::toxiproxy::{Fault, ALL_FAULTS};
use crate::workload::Kind;

/// A service the soak's connectors depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Postgres,
    Mariadb,
    Kafka,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Postgres, Service::Mariadb, Service::Kafka];

    /// Its name for `scripts/services.sh restart`.
    pub fn name(self) -> &'static str {
        match self {
            Service::Postgres => "postgres",
            Service::Mariadb => "mariadb",
            Service::Kafka => "kafka",
        }
    }
}

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A network fault on the proxy between Ferrium and the service.
    Network(Service, Fault),
    /// `kill -9` of the Ferrium process of one connector, then a new one.
    Kill9(Kind),
    /// `scripts/services.sh restart` of the service.
    Restart(Service),
}

impl Action {
    /// Every kind of fault, once.
    pub fn all() -> Vec<Action> {
        let mut all = Vec::new();
        for service in Service::ALL {
            all.extend(ALL_FAULTS.iter().map(|&f| Action::Network(service, f)));
        }
        all.extend([Action::Kill9(Kind::Postgres), Action::Kill9(Kind::Mariadb)]);
        all.extend(Service::ALL.map(Action::Restart));
        all
    }

    /// A short name for reports: `blackhole kafka`, `kill -9 postgres`, `restart mariadb`.
    pub fn name(self) -> String {
        match self {
            Action::Network(service, fault) => {
                format!("{} {}", format!("{fault:?}").to_lowercase(), service.name())
            }
            Action::Kill9(Kind::Postgres) => "kill -9 ferrium (postgres)".into(),
            Action::Kill9(Kind::Mariadb) => "kill -9 ferrium (mariadb)".into(),
            Action::Restart(service) => format!("restart {}", service.name()),
        }
    }
}

pub struct Deck {
    rng: StdRng,
    kinds: Vec<Action>,
    cards: Vec<Action>,
}

impl Deck {
    /// A deck of every kind of fault whose name contains one of `only`'s words (every
    /// kind when `only` is empty).
    pub fn new(seed: u64, only: &[String]) -> Deck {
        let kinds: Vec<Action> = Action::all()
            .into_iter()
            .filter(|a| only.is_empty() || only.iter().any(|w| a.name().contains(w.as_str())))
            .collect();
        assert!(
            !kinds.is_empty(),
            "FERRIUM_SOAK_ONLY={only:?} matches no fault; the faults are: {}",
            Action::all()
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Deck {
            rng: StdRng::seed_from_u64(seed),
            kinds,
            cards: Vec::new(),
        }
    }

    pub fn draw(&mut self) -> Action {
        if self.cards.is_empty() {
            self.cards = self.kinds.clone();
            self.cards.shuffle(&mut self.rng);
        }
        self.cards.pop().expect("a refilled deck has cards")
    }

    /// A pause between faults, 1 to 3 s, from the same seed.
    pub fn pause_ms(&mut self) -> u64 {
        use rand::Rng;
        self.rng.random_range(1000..=3000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_comes_once_per_deck_and_the_seed_decides_the_order() {
        let kinds = Action::all().len();
        let mut deck = Deck::new(7, &[]);
        let first: Vec<Action> = (0..kinds).map(|_| deck.draw()).collect();
        for action in Action::all() {
            assert_eq!(
                first.iter().filter(|&&a| a == action).count(),
                1,
                "{action:?}"
            );
        }
        let mut again = Deck::new(7, &[]);
        assert!(first.iter().all(|&a| a == again.draw()));
        let mut other = Deck::new(8, &[]);
        let other: Vec<Action> = (0..kinds).map(|_| other.draw()).collect();
        assert_ne!(first, other);
    }

    #[test]
    fn only_narrows_the_deck_to_the_named_kinds() {
        let only = ["restart kafka".to_string(), "kill -9".to_string()];
        let mut deck = Deck::new(7, &only);
        let drawn: Vec<String> = (0..6).map(|_| deck.draw().name()).collect();
        assert!(drawn
            .iter()
            .all(|n| n == "restart kafka" || n.starts_with("kill -9")));
        assert_eq!(drawn.iter().filter(|n| *n == "restart kafka").count(), 2);
    }
}
