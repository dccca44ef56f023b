-- The outbox pattern: a service writes its state change and the domain event that
-- describes it in one transaction; Ferrium's EventRouter turns the `outbox` rows into
-- one topic per aggregate type (outbox.event.order, outbox.event.customer).
CREATE TABLE public.orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL,
    status text NOT NULL,
    total numeric(10, 2) NOT NULL
);

-- Debezium's outbox table conventions (EventRouter's defaults).
CREATE TABLE public.outbox (
    id uuid PRIMARY KEY,
    aggregatetype varchar(255) NOT NULL,
    aggregateid varchar(255) NOT NULL,
    type varchar(255) NOT NULL,
    payload jsonb
);

-- Outbox rows need to be captured, not kept: many services delete them right after the
-- insert (the router ignores the deletes). This demo keeps them so they can be looked at.
INSERT INTO public.orders (customer_id, status, total) VALUES (1, 'placed', 25.00);
INSERT INTO public.outbox VALUES
    ('00000000-0000-4000-8000-000000000001', 'order', '1', 'OrderPlaced',
     '{"orderId": 1, "customerId": 1, "total": 25.00}'),
    ('00000000-0000-4000-8000-000000000002', 'customer', '1', 'CustomerOrdered',
     '{"customerId": 1, "orders": 1}');
