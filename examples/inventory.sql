-- The demo database: a small shop, as in Debezium's tutorial.
CREATE SCHEMA IF NOT EXISTS inventory;
CREATE TABLE IF NOT EXISTS inventory.customers (
  id          serial PRIMARY KEY,
  first_name  varchar(255) NOT NULL,
  last_name   varchar(255) NOT NULL,
  email       varchar(255) NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS inventory.products (
  id          serial PRIMARY KEY,
  name        varchar(255) NOT NULL,
  description text,
  weight      numeric(8,3),
  price       numeric(10,2) NOT NULL
);
CREATE TABLE IF NOT EXISTS inventory.orders (
  id          serial PRIMARY KEY,
  order_date  date NOT NULL DEFAULT current_date,
  purchaser   integer NOT NULL REFERENCES inventory.customers (id),
  product_id  integer NOT NULL REFERENCES inventory.products (id),
  quantity    integer NOT NULL,
  placed_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO inventory.customers (first_name, last_name, email) VALUES
  ('Sally', 'Thomas', 'sally.thomas@acme.com'),
  ('George', 'Bailey', 'gbailey@foobar.com'),
  ('Edward', 'Walker', 'ed@walker.com'),
  ('Anne', 'Kretchmar', 'annek@noanswer.org');
INSERT INTO inventory.products (name, description, weight, price) VALUES
  ('scooter', 'Small 2-wheel scooter', 3.14, 49.90),
  ('car battery', '12V car battery', 8.1, 89.00),
  ('hammer', '12oz carpenter''s hammer', 0.75, 12.50);
INSERT INTO inventory.orders (purchaser, product_id, quantity) VALUES (1, 1, 1), (2, 3, 2);
