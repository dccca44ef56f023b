//! MariaDB's table of every type family, one row's values, and the row Debezium's MySQL
//! connector writes for it with the default modes: shared by the type tests of the JSON
//! path and of the Avro path.

#![allow(dead_code)]

use serde_json::{json, Value};

pub const TABLE: &str = "CREATE TABLE all_types (
    id INT PRIMARY KEY,
    ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
    mi MEDIUMINT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, flag BOOLEAN,
    dec10 DECIMAL(10,2), fl FLOAT, db DOUBLE,
    b1 BIT(1), b10 BIT(10),
    ch CHAR(3), vc VARCHAR(20), tx TEXT, l1 VARCHAR(10) CHARACTER SET latin1,
    bn BINARY(4), vb VARBINARY(4), bl BLOB,
    d DATE, t3 TIME(3), dt DATETIME, dt6 DATETIME(6), ts3 TIMESTAMP(3) NULL, y YEAR,
    e ENUM('a','b'), s SET('x','y','z'), j JSON, zd DATETIME NULL,
    pt POINT
)";

pub fn values(id: i32) -> String {
    format!(
        "({id}, -5, 200, -32768, 65535, -8388608, 4294967295, -9223372036854775808, 18446744073709551615, TRUE,
          12345.67, 1.5, 2.25,
          b'1', b'1000000001',
          'ab', 'héllo', 'long text', 'café',
          x'0102', x'ff00', x'00ff10',
          '2024-02-29', '-12:34:56.789', '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.120', 2024,
          'b', 'x,z', '{{\"a\": 1, \"b\": [true, null]}}', '0000-00-00 00:00:00',
          ST_PointFromText('POINT(1 2)'))"
    )
}

pub fn expected(id: i64) -> Value {
    json!({
        "id": id, "ti": -5, "tiu": 200, "si": -32768, "siu": 65535, "mi": -8388608,
        "iu": 4294967295i64, "bi": i64::MIN, "biu": -1, "flag": 1,
        "dec10": "EtaH", "fl": 1.5, "db": 2.25,
        "b1": true, "b10": "AQI=",
        "ch": "ab", "vc": "héllo", "tx": "long text", "l1": "café",
        "bn": "AQIAAA==", "vb": "/wA=", "bl": "AP8Q",
        "d": 19782, "t3": -45296789000i64, "dt": 1704164645000i64, "dt6": 1704164645123456i64,
        "ts3": "2024-01-02T03:04:05.120Z", "y": 2024,
        // MariaDB's JSON is LONGTEXT with a CHECK, and SHOW CREATE TABLE says so: Debezium's
        // MariaDB connector emits the text as stored.
        "e": "b", "s": "x,z", "j": "{\"a\": 1, \"b\": [true, null]}", "zd": null,
    })
}
