/**
 * Schema of the SQL event store, shared verbatim by the PostgreSQL and PGlite adapters.
 * Migrations are append-only: never edit a released one, add the next.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events and streams',
    sql: /* sql */ `
CREATE TABLE pl_streams (
  stream_id  text PRIMARY KEY,
  revision   bigint NOT NULL,
  -- Transaction that last appended to the stream: the per-stream inversion guard compares against it.
  last_tx    xid8 NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pl_events (
  global_position bigserial NOT NULL,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id       text NOT NULL,
  revision        bigint NOT NULL,
  event_id        uuid NOT NULL,
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  project_id      text,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pl_events_pkey PRIMARY KEY (stream_id, revision),
  CONSTRAINT pl_events_event_id_key UNIQUE (event_id)
);

-- Global order: readers page on (transaction_id, global_position), never on global_position alone.
CREATE INDEX pl_events_global_order ON pl_events (transaction_id, global_position);
CREATE INDEX pl_events_project_order ON pl_events (project_id, transaction_id, global_position)
  WHERE project_id IS NOT NULL;

-- Returns the stored rows when every id in p_ids is already in p_stream_id (a clean retry),
-- nothing when none is, and raises PLD01 for a partial overlap or ids stored in another stream.
CREATE FUNCTION pl_find_retry(p_stream_id text, p_ids uuid[])
RETURNS TABLE (revision bigint, tx xid8, global_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_found integer;
  v_foreign text;
BEGIN
  SELECT count(*), min(e.stream_id) FILTER (WHERE e.stream_id <> p_stream_id)
    INTO v_found, v_foreign
    FROM pl_events e WHERE e.event_id = ANY (p_ids);
  IF v_found = 0 THEN
    RETURN;
  END IF;
  IF v_foreign IS NOT NULL THEN
    RAISE EXCEPTION 'event ids are already stored in stream %', v_foreign USING ERRCODE = 'PLD01';
  END IF;
  IF v_found <> cardinality(p_ids) THEN
    RAISE EXCEPTION '% of % event ids are already stored', v_found, cardinality(p_ids) USING ERRCODE = 'PLD01';
  END IF;
  RETURN QUERY SELECT e.revision, e.transaction_id, e.global_position
    FROM pl_events e WHERE e.event_id = ANY (p_ids) ORDER BY e.revision;
END
$fn$;

-- Appends p_events (a JSON array of {eventId,type,schemaVersion,data,metadata}) to one stream in
-- one statement, hence one round trip and one transaction.
--   p_expected: 'no_stream' | 'exists' | 'any' | a revision as text.
--   Raises PLW01 (DETAIL = actual revision, -1 for no stream) when the expectation fails,
--   40001 when the per-stream inversion guard trips (the caller retries in a new transaction).
CREATE FUNCTION pl_append(p_stream_id text, p_expected text, p_events jsonb)
RETURNS TABLE (revision bigint, tx xid8, global_position bigint, duplicate boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_ids uuid[];
  v_count integer;
  v_current bigint;
  v_last_tx xid8;
  v_tx xid8;
  v_fresh boolean := false;
BEGIN
  SELECT array_agg((e ->> 'eventId')::uuid ORDER BY o), count(*)
    INTO v_ids, v_count
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t (e, o);

  RETURN QUERY SELECT r.revision, r.tx, r.global_position, true FROM pl_find_retry(p_stream_id, v_ids) r;
  IF FOUND THEN
    RETURN;
  END IF;

  SELECT s.revision, s.last_tx INTO v_current, v_last_tx
    FROM pl_streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
  IF NOT FOUND THEN
    IF p_expected NOT IN ('no_stream', 'any') THEN
      RAISE EXCEPTION 'stream % does not exist', p_stream_id USING ERRCODE = 'PLW01', DETAIL = '-1';
    END IF;
    INSERT INTO pl_streams AS s (stream_id, revision, last_tx)
      VALUES (p_stream_id, v_count - 1, pg_current_xact_id())
      ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
      v_current := -1;
      v_fresh := true;
    ELSE
      -- Created by a transaction that committed while this one waited.
      SELECT s.revision, s.last_tx INTO v_current, v_last_tx
        FROM pl_streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
    END IF;
  END IF;

  IF NOT v_fresh THEN
    IF p_expected = 'no_stream' OR (p_expected NOT IN ('exists', 'any') AND p_expected::bigint <> v_current) THEN
      -- A retry whose first attempt committed meanwhile is still a clean retry, not a conflict.
      RETURN QUERY SELECT r.revision, r.tx, r.global_position, true FROM pl_find_retry(p_stream_id, v_ids) r;
      IF FOUND THEN
        RETURN;
      END IF;
      RAISE EXCEPTION 'stream % is at revision %', p_stream_id, v_current
        USING ERRCODE = 'PLW01', DETAIL = v_current::text;
    END IF;
    v_tx := pg_current_xact_id();
    -- Per-stream inversion guard: a transaction whose id predates the stream's last append would
    -- sort before it in the global order while holding later revisions. Retry with a newer id.
    IF v_last_tx >= v_tx THEN
      RAISE EXCEPTION 'stream % was appended by a newer transaction; retry', p_stream_id USING ERRCODE = '40001';
    END IF;
    UPDATE pl_streams s SET revision = v_current + v_count, last_tx = v_tx WHERE s.stream_id = p_stream_id;
  END IF;

  RETURN QUERY
    INSERT INTO pl_events AS ev (stream_id, revision, event_id, type, schema_version, data, metadata, project_id)
    SELECT p_stream_id, v_current + t.o, (t.e ->> 'eventId')::uuid, t.e ->> 'type', (t.e ->> 'schemaVersion')::integer,
           t.e -> 'data', t.e -> 'metadata', t.e -> 'metadata' ->> 'projectId'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t (e, o)
     ORDER BY t.o
    RETURNING ev.revision, ev.transaction_id, ev.global_position, false;
END
$fn$;
`,
  },
];
