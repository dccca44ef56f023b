//! PostgreSQL's built-in geometric types as Debezium's PostgreSQL connector writes them:
//! `point` as `io.debezium.data.geometry.Point` (x, y and its WKB); `box`, `lseg`, `path`
//! and `polygon` as `io.debezium.data.geometry.Geometry` version 2 (WKB, with the native
//! type, and for a path whether it is closed, in `extensions`); `circle` and `line` as
//! Debezium's `Circle` (centre and radius) and `Line` (the coefficients of Ax + By + C = 0).
//!
//! Values arrive in PostgreSQL's text output (`(1,2)`, `[(0,0),(1,1)]`, `<(0,0),2>`,
//! `{1,-1,0}`, …). The WKB is little-endian 2D, as Debezium's `WkbWriter` writes it; a
//! hand-written writer, because the two shapes it needs are a few lines and a WKB crate
//! would bring a geometry model this code has no use for.

use std::sync::Arc;

use ferrium_event::{Schema, SchemaType, Value};

const WKB_POINT: u32 = 1;
const WKB_LINE_STRING: u32 = 2;
const WKB_POLYGON: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometric {
    Point,
    Box,
    Lseg,
    Path,
    Polygon,
    Circle,
    Line,
}

impl Geometric {
    /// Debezium's `Geometry`, `Circle` and `Line` builders are optional whatever the
    /// column's nullability; only `Point` follows the column.
    pub fn always_optional(self) -> bool {
        self != Geometric::Point
    }

    pub fn schema(self) -> Schema {
        use SchemaType as T;
        match self {
            Geometric::Point => point_schema(),
            Geometric::Box | Geometric::Lseg | Geometric::Path | Geometric::Polygon => {
                Schema::record("io.debezium.data.geometry.Geometry")
                    .version(2)
                    .doc("Geometry")
                    .field("wkb", Schema::of(T::Bytes))
                    .field("srid", Schema::of(T::Int32).optional())
                    .field(
                        "extensions",
                        Schema::map(Schema::of(T::String), Schema::of(T::String)).optional(),
                    )
            }
            Geometric::Circle => Schema::record("io.debezium.data.geometry.Circle")
                .version(1)
                .doc("Geometry (CIRCLE)")
                .field("center", Arc::new(point_schema()))
                .field("radius", Schema::of(T::Float64)),
            Geometric::Line => Schema::record("io.debezium.data.geometry.Line")
                .version(1)
                .doc("Geometry (LINE)")
                .field("a", Schema::of(T::Float64))
                .field("b", Schema::of(T::Float64))
                .field("c", Schema::of(T::Float64)),
        }
    }

    /// Decodes the text output of a value.
    pub fn decode(self, text: &str) -> Result<Value, &'static str> {
        let n = numbers(text)?;
        let points = |min: usize| -> Result<Vec<(f64, f64)>, &'static str> {
            if n.len() % 2 != 0 || n.len() < 2 * min {
                return Err("not a list of points");
            }
            Ok(n.chunks_exact(2).map(|p| (p[0], p[1])).collect())
        };
        Ok(match self {
            Geometric::Point => match n.as_slice() {
                [x, y] => point(*x, *y),
                _ => return Err("not a point"),
            },
            Geometric::Box => match points(2)?.as_slice() {
                [(x1, y1), (x2, y2)] => geometry(
                    polygon(&[(*x1, *y1), (*x1, *y2), (*x2, *y2), (*x2, *y1), (*x1, *y1)]),
                    &[("type", "box")],
                ),
                _ => return Err("not a box"),
            },
            Geometric::Lseg => match points(2)?.as_slice() {
                [a, b] => geometry(line_string(&[*a, *b]), &[("type", "lseg")]),
                _ => return Err("not a line segment"),
            },
            Geometric::Path => {
                // `[…]` is an open path, `(…)` a closed one.
                let closed = if text.trim_start().starts_with('[') {
                    "false"
                } else {
                    "true"
                };
                geometry(
                    line_string(&points(1)?),
                    &[("type", "path"), ("closed", closed)],
                )
            }
            Geometric::Polygon => {
                let mut ring = points(1)?;
                if ring.len() >= 2 && ring.first() != ring.last() {
                    ring.push(ring[0]);
                }
                geometry(polygon(&ring), &[("type", "polygon")])
            }
            Geometric::Circle => match n.as_slice() {
                [x, y, r] => Value::Struct(vec![point(*x, *y), Value::Float64(*r)]),
                _ => return Err("not a circle"),
            },
            Geometric::Line => match n.as_slice() {
                [a, b, c] => Value::Struct(vec![
                    Value::Float64(*a),
                    Value::Float64(*b),
                    Value::Float64(*c),
                ]),
                _ => return Err("not a line"),
            },
        })
    }

    /// Debezium's value for a NULL in a `NOT NULL` column: a small valid shape (its sink
    /// writes these through PostGIS, which refuses degenerate ones).
    pub fn fallback(self) -> Value {
        match self {
            Geometric::Point => point(0.0, 0.0),
            Geometric::Box => geometry(
                polygon(&[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]),
                &[("type", "box")],
            ),
            Geometric::Lseg => {
                geometry(line_string(&[(0.0, 0.0), (1.0, 0.0)]), &[("type", "lseg")])
            }
            Geometric::Path => {
                geometry(line_string(&[(0.0, 0.0), (1.0, 0.0)]), &[("type", "path")])
            }
            Geometric::Polygon => geometry(
                polygon(&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]),
                &[("type", "polygon")],
            ),
            Geometric::Circle => Value::Struct(vec![point(0.0, 0.0), Value::Float64(0.0)]),
            // A line with A and B both zero is not a line; Debezium uses y = 0.
            Geometric::Line => Value::Struct(vec![
                Value::Float64(0.0),
                Value::Float64(1.0),
                Value::Float64(0.0),
            ]),
        }
    }
}

fn point_schema() -> Schema {
    use SchemaType as T;
    Schema::record("io.debezium.data.geometry.Point")
        .version(1)
        .doc("Geometry (POINT)")
        .field("x", Schema::of(T::Float64))
        .field("y", Schema::of(T::Float64))
        .field("wkb", Schema::of(T::Bytes).optional())
        .field("srid", Schema::of(T::Int32).optional())
}

/// The numbers of a geometric value's text, in order: every token between the
/// punctuation PostgreSQL prints (`(`, `)`, `[`, `]`, `{`, `}`, `<`, `>`, `,`).
fn numbers(text: &str) -> Result<Vec<f64>, &'static str> {
    text.split(|c: char| "()[]{}<>,".contains(c) || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<f64>().map_err(|_| "not a number"))
        .collect()
}

fn point(x: f64, y: f64) -> Value {
    let mut wkb = header(WKB_POINT, 16);
    coordinates(&mut wkb, &[(x, y)]);
    Value::Struct(vec![
        Value::Float64(x),
        Value::Float64(y),
        Value::Bytes(wkb),
        Value::Null,
    ])
}

fn geometry(wkb: Vec<u8>, extensions: &[(&str, &str)]) -> Value {
    let map = extensions
        .iter()
        .map(|(k, v)| (Value::String(k.to_string()), Value::String(v.to_string())))
        .collect();
    Value::Struct(vec![Value::Bytes(wkb), Value::Null, Value::Map(map)])
}

fn header(kind: u32, body: usize) -> Vec<u8> {
    let mut wkb = Vec::with_capacity(5 + body);
    wkb.push(1); // little-endian
    wkb.extend_from_slice(&kind.to_le_bytes());
    wkb
}

fn coordinates(wkb: &mut Vec<u8>, points: &[(f64, f64)]) {
    for (x, y) in points {
        wkb.extend_from_slice(&x.to_le_bytes());
        wkb.extend_from_slice(&y.to_le_bytes());
    }
}

fn counted(wkb: &mut Vec<u8>, points: &[(f64, f64)]) {
    wkb.extend_from_slice(&(points.len() as u32).to_le_bytes());
    coordinates(wkb, points);
}

fn line_string(points: &[(f64, f64)]) -> Vec<u8> {
    let mut wkb = header(WKB_LINE_STRING, 4 + 16 * points.len());
    counted(&mut wkb, points);
    wkb
}

/// A polygon of one ring.
fn polygon(ring: &[(f64, f64)]) -> Vec<u8> {
    let mut wkb = header(WKB_POLYGON, 8 + 16 * ring.len());
    wkb.extend_from_slice(&1u32.to_le_bytes());
    counted(&mut wkb, ring);
    wkb
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wkb_of(v: &Value) -> &[u8] {
        match v {
            Value::Struct(f) => match &f[0] {
                Value::Bytes(b) => b,
                _ => panic!("no wkb"),
            },
            _ => panic!("not a struct"),
        }
    }

    #[test]
    fn a_point_carries_x_y_and_its_wkb() {
        let v = Geometric::Point.decode("(1.5,-2)").unwrap();
        let Value::Struct(f) = &v else { panic!() };
        assert_eq!(
            (&f[0], &f[1]),
            (&Value::Float64(1.5), &Value::Float64(-2.0))
        );
        let mut wkb = vec![1, 1, 0, 0, 0];
        wkb.extend_from_slice(&1.5f64.to_le_bytes());
        wkb.extend_from_slice(&(-2f64).to_le_bytes());
        assert_eq!(f[2], Value::Bytes(wkb));
        assert_eq!(f[3], Value::Null);
    }

    #[test]
    fn a_box_is_a_closed_five_point_ring_from_its_corners() {
        let v = Geometric::Box.decode("(2,3),(0,1)").unwrap();
        let wkb = wkb_of(&v);
        assert_eq!(&wkb[..13], &[1, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0]);
        let xy: Vec<f64> = wkb[13..]
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(xy, [2.0, 3.0, 2.0, 1.0, 0.0, 1.0, 0.0, 3.0, 2.0, 3.0]);
    }

    #[test]
    fn paths_say_whether_they_are_closed_and_polygons_close_their_ring() {
        let ext = |v: &Value| match v {
            Value::Struct(f) => f[2].clone(),
            _ => panic!(),
        };
        let s = |k: &str, v: &str| (Value::String(k.into()), Value::String(v.into()));
        assert_eq!(
            ext(&Geometric::Path.decode("[(0,0),(1,1)]").unwrap()),
            Value::Map(vec![s("type", "path"), s("closed", "false")])
        );
        assert_eq!(
            ext(&Geometric::Path.decode("((0,0),(1,1),(2,0))").unwrap()),
            Value::Map(vec![s("type", "path"), s("closed", "true")])
        );
        let poly = Geometric::Polygon.decode("((0,0),(1,0),(0,1))").unwrap();
        // One ring of four points: the first repeated at the end.
        assert_eq!(&wkb_of(&poly)[5..13], &[1, 0, 0, 0, 4, 0, 0, 0]);
    }

    #[test]
    fn circles_and_lines_carry_their_numbers() {
        let Value::Struct(c) = Geometric::Circle.decode("<(1,2),3.5>").unwrap() else {
            panic!()
        };
        assert_eq!(c[1], Value::Float64(3.5));
        assert_eq!(
            Geometric::Line.decode("{1,-1,0}").unwrap(),
            Value::Struct(vec![
                Value::Float64(1.0),
                Value::Float64(-1.0),
                Value::Float64(0.0)
            ])
        );
        assert!(Geometric::Line.decode("{1,x,0}").is_err());
        assert!(Geometric::Point.decode("(1,2,3)").is_err());
    }
}
