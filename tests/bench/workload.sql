-- The sqlite3 workload of tests/bench/run.sh: an in-memory database, bulk
-- inserts through recursive CTEs, two indexes, joins, grouping, sorting,
-- string functions, an UPDATE and a DELETE. Deterministic (no randomness).
-- The row counts come from parameters, so the same file runs at two sizes:
--   sqlite3 :memory: ".parameter set @items 200000" ".parameter set @sales 400000" ".read workload.sql"
PRAGMA cache_size = -65536;
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, cat INTEGER, price REAL, note TEXT);
CREATE TABLE sale(id INTEGER PRIMARY KEY, item INTEGER, qty INTEGER, day INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @items)
INSERT INTO item SELECT i, printf('item-%06d-%08x', i, (i * 2654435761) % 4294967296), i % 97,
                        (i * 7919 % 10007) / 100.0,
                        substr(replace(hex(zeroblob(40 + i % 60)), '00', 'ab'), 1, 40 + i % 200) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @sales)
INSERT INTO sale SELECT i, 1 + (i * 104729) % @items, 1 + i % 13, i % 365 FROM n;
CREATE INDEX sale_item ON sale(item);
CREATE INDEX item_cat ON item(cat, price);
SELECT count(*), sum(qty) FROM sale;
SELECT cat, count(*), round(avg(price), 2), max(length(note)) FROM item GROUP BY cat ORDER BY cat LIMIT 5;
SELECT i.cat, round(sum(s.qty * i.price), 2) AS revenue FROM sale s JOIN item i ON i.id = s.item
  GROUP BY i.cat ORDER BY revenue DESC LIMIT 5;
SELECT day, count(DISTINCT i.cat), count(*) FROM sale s JOIN item i ON i.id = s.item
  WHERE s.day < 30 GROUP BY day ORDER BY day LIMIT 3;
SELECT name FROM item ORDER BY upper(note) || name DESC LIMIT 3;
SELECT count(*) FROM (SELECT DISTINCT substr(name, 1, 9) || cat FROM item);
UPDATE item SET note = note || '-' || name WHERE id % 3 = 0;
DELETE FROM sale WHERE qty > 10;
SELECT count(*), sum(length(note)) FROM item;
