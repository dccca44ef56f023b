-- The demo database for MySQL/MariaDB: the same small shop as Debezium's tutorial.
CREATE DATABASE IF NOT EXISTS inventory;
USE inventory;
CREATE TABLE IF NOT EXISTS customers (
  id         INT AUTO_INCREMENT PRIMARY KEY,
  first_name VARCHAR(255) NOT NULL,
  last_name  VARCHAR(255) NOT NULL,
  email      VARCHAR(255) NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS products (
  id          INT AUTO_INCREMENT PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  description TEXT,
  weight      DECIMAL(8,3),
  price       DECIMAL(10,2) NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id         INT AUTO_INCREMENT PRIMARY KEY,
  order_date DATE NOT NULL DEFAULT (CURRENT_DATE),
  purchaser  INT NOT NULL,
  product_id INT NOT NULL,
  quantity   INT NOT NULL,
  placed_at  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (purchaser) REFERENCES customers (id),
  FOREIGN KEY (product_id) REFERENCES products (id)
);
INSERT INTO customers (first_name, last_name, email) VALUES
  ('Sally', 'Thomas', 'sally.thomas@acme.com'),
  ('George', 'Bailey', 'gbailey@foobar.com'),
  ('Edward', 'Walker', 'ed@walker.com'),
  ('Anne', 'Kretchmar', 'annek@noanswer.org');
INSERT INTO products (name, description, weight, price) VALUES
  ('scooter', 'Small 2-wheel scooter', 3.14, 49.90),
  ('car battery', '12V car battery', 8.1, 89.00),
  ('hammer', '12oz carpenter''s hammer', 0.75, 12.50);
INSERT INTO orders (purchaser, product_id, quantity) VALUES (1, 1, 1), (2, 3, 2);
