//! DDL while streaming: rows before and after each statement decode with the columns
//! they were written with, and each statement becomes a schema change event.

use std::time::Duration;

use serde_json::json;

use crate::support::{of_topic, TestDb};

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread")]
async fn add_drop_rename_columns_and_rename_a_table_mid_stream() {
    let mut db = TestDb::create("ddl").await;
    db.exec("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), price INT)")
        .await;
    let ferrium = db.start(&[]);
    ferrium.collect_until(WAIT, |l| !of_topic(l, "test").is_empty());
    db.exec(
        "INSERT INTO items VALUES (1, 'one', 10);
         ALTER TABLE items ADD COLUMN color VARCHAR(10) DEFAULT 'red' AFTER name;
         INSERT INTO items VALUES (2, 'two', 'blue', 20);
         ALTER TABLE items DROP COLUMN price;
         INSERT INTO items VALUES (3, 'three', 'green');
         ALTER TABLE items RENAME COLUMN name TO title;
         INSERT INTO items VALUES (4, 'four', 'black');
         ALTER TABLE items CHANGE COLUMN color colour VARCHAR(12) NOT NULL;
         INSERT INTO items VALUES (5, 'five', 'white');
         RENAME TABLE items TO products;
         INSERT INTO products VALUES (6, 'six', 'pink');
         UPDATE products SET title = 'SIX' WHERE id = 6",
    )
    .await;
    let items = db.topic("items");
    let products = db.topic("products");
    let lines = ferrium.collect_until(WAIT, |l| of_topic(l, &products).len() >= 2);
    let rows: Vec<_> = of_topic(&lines, &items)
        .into_iter()
        .map(|l| l.after().clone())
        .collect();
    assert_eq!(
        rows,
        [
            json!({"id": 1, "name": "one", "price": 10}),
            json!({"id": 2, "name": "two", "color": "blue", "price": 20}),
            json!({"id": 3, "name": "three", "color": "green"}),
            json!({"id": 4, "title": "four", "color": "black"}),
            json!({"id": 5, "title": "five", "colour": "white"}),
        ]
    );
    let moved = of_topic(&lines, &products);
    assert_eq!(
        moved[0].after(),
        &json!({"id": 6, "title": "six", "colour": "pink"})
    );
    assert_eq!(moved[1].before()["title"], "six");
    assert_eq!(moved[1].after()["title"], "SIX");
    // The new column's schema carries the DDL's facts: optional with its default, or
    // required after CHANGE ... NOT NULL.
    let fields = &lines
        .iter()
        .find(|l| l.topic == items && l.after()["id"] == 2)
        .unwrap()
        .value["schema"]["fields"][1]["fields"];
    let color = fields
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "color")
        .unwrap();
    assert_eq!(color["optional"], true);
    let colour = &moved[0].value["schema"]["fields"][1]["fields"][2];
    assert_eq!(colour["field"], "colour");
    assert_eq!(colour["optional"], false);

    // Every statement is a schema change event on the prefix topic, with its DDL text.
    let ddl: Vec<String> = of_topic(&lines, "test")
        .iter()
        .map(|l| l.payload()["ddl"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "ADD COLUMN color",
        "DROP COLUMN price",
        "RENAME COLUMN name",
        "CHANGE COLUMN color",
        "RENAME TABLE items",
    ] {
        assert!(
            ddl.iter().any(|d| d.contains(expected)),
            "no schema change for {expected}: {ddl:?}"
        );
    }
    let rename = of_topic(&lines, "test")
        .into_iter()
        .find(|l| {
            l.payload()["ddl"]
                .as_str()
                .unwrap()
                .contains("RENAME TABLE")
        })
        .unwrap();
    assert_eq!(rename.payload()["tableChanges"][0]["type"], "ALTER");
    assert_eq!(
        rename.payload()["tableChanges"][0]["id"],
        format!("\"{}\".\"products\"", db.name)
    );
    ferrium.stop();
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_created_while_streaming_is_captured() {
    let mut db = TestDb::create("newtable").await;
    db.exec("CREATE TABLE seed (id INT PRIMARY KEY)").await;
    let ferrium = db.start(&[]);
    ferrium.collect_until(WAIT, |l| !of_topic(l, "test").is_empty());
    db.exec(
        "CREATE TABLE late (id BIGINT UNSIGNED PRIMARY KEY, note TEXT) DEFAULT CHARSET=latin1;
         INSERT INTO late VALUES (18446744073709551615, 'caf\u{e9}')",
    )
    .await;
    let topic = db.topic("late");
    let lines = ferrium.collect(&topic, 1, WAIT);
    // BIGINT UNSIGNED under the default bigint.unsigned.handling.mode=long wraps, as in
    // Debezium; the latin1 text arrives as UTF-8.
    assert_eq!(lines[0].after(), &json!({"id": -1, "note": "café"}));
    ferrium.stop();
    db.drop().await;
}
