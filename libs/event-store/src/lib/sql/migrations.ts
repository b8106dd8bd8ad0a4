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
) WITH (fillfactor = 70); -- room on each page keeps the per-append revision update HOT (no index write)

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

-- Appends p_events (a JSON array of {type,schemaVersion,data,metadata}; p_ids holds the event ids in
-- the same order) to one stream in one statement: one round trip, one transaction.
--   p_expected: 'no_stream' | 'exists' | 'any' | a revision as text.
--   p_check_retry: look for ids stored already (false when the store generated every id).
-- Returns the last revision, the transaction id, each event's global position in order, and whether
-- every id was stored already (a clean retry: nothing is written, the original result returns).
-- Raises PLW01 (DETAIL = actual revision, -1 for no stream) when the expectation fails, PLD01 when
-- only some ids (or ids of another stream) are stored, and 40001 when the caller must retry in a new
-- transaction (the per-stream inversion guard, or a concurrent clean retry).
CREATE FUNCTION pl_append(
  p_stream_id text, p_expected text, p_ids uuid[], p_events jsonb, p_check_retry boolean,
  OUT o_revision bigint, OUT o_tx xid8, OUT o_positions bigint[], OUT o_duplicate boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count integer := cardinality(p_ids);
  v_current bigint;
  v_last_tx xid8;
  v_tx xid8;
  v_found integer;
  v_foreign text;
BEGIN
  o_duplicate := false;
  IF p_check_retry AND EXISTS (SELECT 1 FROM pl_events e WHERE e.event_id = ANY (p_ids)) THEN
    SELECT count(*), min(e.stream_id) FILTER (WHERE e.stream_id <> p_stream_id), max(e.revision),
           min(e.transaction_id), array_agg(e.global_position ORDER BY e.revision)
      INTO v_found, v_foreign, o_revision, o_tx, o_positions
      FROM pl_events e WHERE e.event_id = ANY (p_ids);
    IF v_foreign IS NOT NULL THEN
      RAISE EXCEPTION 'event ids are already stored in stream %', v_foreign USING ERRCODE = 'PLD01';
    END IF;
    IF v_found <> v_count THEN
      RAISE EXCEPTION '% of % event ids are already stored', v_found, v_count USING ERRCODE = 'PLD01';
    END IF;
    o_duplicate := true;
    RETURN;
  END IF;

  v_tx := pg_current_xact_id();
  IF p_expected IN ('no_stream', 'any') THEN
    INSERT INTO pl_streams AS s (stream_id, revision, last_tx) VALUES (p_stream_id, v_count - 1, v_tx)
      ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
      v_current := -1;
    END IF;
  END IF;

  IF v_current IS NULL AND p_expected <> 'no_stream' THEN
    -- The stream row is the concurrency gate. The update re-checks its condition on the latest
    -- committed row once it holds the lock. "last_tx < v_tx" is the per-stream inversion guard: a
    -- transaction whose id predates the stream's last append would sort before it in the global
    -- order while holding later revisions.
    UPDATE pl_streams s SET revision = s.revision + v_count, last_tx = v_tx
     WHERE s.stream_id = p_stream_id AND s.last_tx < v_tx
       AND (p_expected IN ('exists', 'any') OR s.revision = p_expected::bigint)
    RETURNING s.revision - v_count INTO v_current;
  END IF;

  IF v_current IS NULL THEN
    -- Refused: find out why, on the row as it stands now.
    SELECT s.revision, s.last_tx INTO v_current, v_last_tx FROM pl_streams s WHERE s.stream_id = p_stream_id;
    IF p_check_retry AND EXISTS (SELECT 1 FROM pl_events e WHERE e.event_id = ANY (p_ids)) THEN
      RAISE EXCEPTION 'event ids were stored concurrently; retry' USING ERRCODE = '40001';
    END IF;
    IF v_current IS NULL THEN
      RAISE EXCEPTION 'stream % does not exist', p_stream_id USING ERRCODE = 'PLW01', DETAIL = '-1';
    END IF;
    IF p_expected = 'no_stream' OR (p_expected NOT IN ('exists', 'any') AND p_expected::bigint <> v_current) THEN
      RAISE EXCEPTION 'stream % is at revision %', p_stream_id, v_current USING ERRCODE = 'PLW01', DETAIL = v_current::text;
    END IF;
    RAISE EXCEPTION 'stream % was appended by a newer transaction; retry', p_stream_id USING ERRCODE = '40001';
  END IF;

  WITH inserted AS (
    INSERT INTO pl_events AS ev (stream_id, revision, event_id, type, schema_version, data, metadata, project_id)
    SELECT p_stream_id, v_current + t.o, p_ids[t.o], t.e ->> 'type', (t.e ->> 'schemaVersion')::integer,
           t.e -> 'data', t.e -> 'metadata', t.e -> 'metadata' ->> 'projectId'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t (e, o)
     ORDER BY t.o
    RETURNING ev.global_position, ev.revision)
  SELECT array_agg(i.global_position ORDER BY i.revision) INTO o_positions FROM inserted i;
  o_revision := v_current + v_count;
  o_tx := v_tx;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'appends conditional on other streams',
    sql: /* sql */ `
-- pl_append, refused with PLC01 (DETAIL = {"streamId":…,"actual":…}, actual -1 for no stream) when
-- one of the other streams p_cond_streams is no longer at its revision in p_cond_revisions
-- (-1: must not exist). A clean retry (every id stored) is answered before the check, as by pl_append.
CREATE FUNCTION pl_append_if(
  p_cond_streams text[], p_cond_revisions bigint[],
  p_stream_id text, p_expected text, p_ids uuid[], p_events jsonb, p_check_retry boolean,
  OUT o_revision bigint, OUT o_tx xid8, OUT o_positions bigint[], OUT o_duplicate boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_stream text;
  v_actual bigint;
BEGIN
  IF NOT (p_check_retry AND EXISTS (SELECT 1 FROM pl_events e WHERE e.event_id = ANY (p_ids))) THEN
    SELECT c.stream_id, coalesce(s.revision, -1) INTO v_stream, v_actual
      FROM unnest(p_cond_streams, p_cond_revisions) AS c (stream_id, revision)
      LEFT JOIN pl_streams s ON s.stream_id = c.stream_id
     WHERE coalesce(s.revision, -1) <> c.revision
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'stream % is at revision %', v_stream, v_actual USING ERRCODE = 'PLC01',
        DETAIL = json_build_object('streamId', v_stream, 'actual', v_actual)::text;
    END IF;
  END IF;
  SELECT a.o_revision, a.o_tx, a.o_positions, a.o_duplicate INTO o_revision, o_tx, o_positions, o_duplicate
    FROM pl_append(p_stream_id, p_expected, p_ids, p_events, p_check_retry) a;
END
$fn$;
`,
  },
  {
    version: 3,
    name: 'browser sessions and local account passwords',
    sql: /* sql */ `
-- Sign-in state kept beside the log, not in it: a session is ended by deleting its row, and a
-- password hash must never travel with the events. Only a SHA-256 of the session's secret is kept.
CREATE TABLE pl_sessions (
  secret_hash text PRIMARY KEY,
  session_id uuid NOT NULL UNIQUE,
  subject text NOT NULL,
  via text NOT NULL,
  csrf_token text NOT NULL,
  key_id text,
  user_agent text,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX pl_sessions_subject ON pl_sessions (subject);
CREATE TABLE pl_account_passwords (
  account_id text PRIMARY KEY,
  password_hash text NOT NULL,
  changed_at timestamptz NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'the name a session was signed in under',
    sql: /* sql */ `
-- The person's name as the identity provider gave it (local accounts keep theirs in the log).
ALTER TABLE pl_sessions ADD COLUMN name text;
`,
  },
  {
    version: 5,
    name: 'group commit: several appends in one transaction',
    sql: /* sql */ `
-- A batch may hold two appends to one stream: the inversion guard lets a transaction follow its own append.
CREATE OR REPLACE FUNCTION pl_append(
  p_stream_id text, p_expected text, p_ids uuid[], p_events jsonb, p_check_retry boolean,
  OUT o_revision bigint, OUT o_tx xid8, OUT o_positions bigint[], OUT o_duplicate boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count integer := cardinality(p_ids);
  v_current bigint;
  v_last_tx xid8;
  v_tx xid8;
  v_found integer;
  v_foreign text;
BEGIN
  o_duplicate := false;
  IF p_check_retry AND EXISTS (SELECT 1 FROM pl_events e WHERE e.event_id = ANY (p_ids)) THEN
    SELECT count(*), min(e.stream_id) FILTER (WHERE e.stream_id <> p_stream_id), max(e.revision),
           min(e.transaction_id), array_agg(e.global_position ORDER BY e.revision)
      INTO v_found, v_foreign, o_revision, o_tx, o_positions
      FROM pl_events e WHERE e.event_id = ANY (p_ids);
    IF v_foreign IS NOT NULL THEN
      RAISE EXCEPTION 'event ids are already stored in stream %', v_foreign USING ERRCODE = 'PLD01';
    END IF;
    IF v_found <> v_count THEN
      RAISE EXCEPTION '% of % event ids are already stored', v_found, v_count USING ERRCODE = 'PLD01';
    END IF;
    o_duplicate := true;
    RETURN;
  END IF;

  v_tx := pg_current_xact_id();
  IF p_expected IN ('no_stream', 'any') THEN
    INSERT INTO pl_streams AS s (stream_id, revision, last_tx) VALUES (p_stream_id, v_count - 1, v_tx)
      ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
      v_current := -1;
    END IF;
  END IF;

  IF v_current IS NULL AND p_expected <> 'no_stream' THEN
    -- The stream row is the concurrency gate. The update re-checks its condition on the latest
    -- committed row once it holds the lock. "last_tx <= v_tx" is the per-stream inversion guard: a
    -- transaction whose id predates the stream's last append would sort before it in the global
    -- order while holding later revisions. Equal ids are this transaction's own earlier append (a
    -- batch of several appends to one stream): its events come first in position order too.
    UPDATE pl_streams s SET revision = s.revision + v_count, last_tx = v_tx
     WHERE s.stream_id = p_stream_id AND s.last_tx <= v_tx
       AND (p_expected IN ('exists', 'any') OR s.revision = p_expected::bigint)
    RETURNING s.revision - v_count INTO v_current;
  END IF;

  IF v_current IS NULL THEN
    -- Refused: find out why, on the row as it stands now.
    SELECT s.revision, s.last_tx INTO v_current, v_last_tx FROM pl_streams s WHERE s.stream_id = p_stream_id;
    IF p_check_retry AND EXISTS (SELECT 1 FROM pl_events e WHERE e.event_id = ANY (p_ids)) THEN
      RAISE EXCEPTION 'event ids were stored concurrently; retry' USING ERRCODE = '40001';
    END IF;
    IF v_current IS NULL THEN
      RAISE EXCEPTION 'stream % does not exist', p_stream_id USING ERRCODE = 'PLW01', DETAIL = '-1';
    END IF;
    IF p_expected = 'no_stream' OR (p_expected NOT IN ('exists', 'any') AND p_expected::bigint <> v_current) THEN
      RAISE EXCEPTION 'stream % is at revision %', p_stream_id, v_current USING ERRCODE = 'PLW01', DETAIL = v_current::text;
    END IF;
    RAISE EXCEPTION 'stream % was appended by a newer transaction; retry', p_stream_id USING ERRCODE = '40001';
  END IF;

  WITH inserted AS (
    INSERT INTO pl_events AS ev (stream_id, revision, event_id, type, schema_version, data, metadata, project_id)
    SELECT p_stream_id, v_current + t.o, p_ids[t.o], t.e ->> 'type', (t.e ->> 'schemaVersion')::integer,
           t.e -> 'data', t.e -> 'metadata', t.e -> 'metadata' ->> 'projectId'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t (e, o)
     ORDER BY t.o
    RETURNING ev.global_position, ev.revision)
  SELECT array_agg(i.global_position ORDER BY i.revision) INTO o_positions FROM inserted i;
  o_revision := v_current + v_count;
  o_tx := v_tx;
END
$fn$;

-- Appends several units (a unit: one append, or an atomic append to several streams) in one
-- transaction, each unit in a subtransaction of its own: a unit that fails (wrong revision, failed
-- condition, stored ids, bad input, a lock it must retry) is rolled back alone and answered with
-- its error, and the others go on. Units come in order; their parts are flattened:
--   p_unit_parts:  parts per unit                  p_unit_conds: conditions per unit (on its first part)
--   p_streams, p_expected, p_check_retry:           one per part
--   p_id_counts:   ids per part, p_ids every part's ids in order; p_events: one JSON array per part
--   p_cond_streams, p_cond_revisions:               every unit's conditions in order
-- Returns one row per part of each unit that succeeded (o_error_part NULL), one row per failed unit
-- (o_part NULL, o_error_part the part that failed, the error's SQLSTATE, message, detail and constraint).
-- Some parts of a unit stored already and others not is PLD02 (DETAIL: the first stored part's stream).
-- Cancellation (statement timeout, a terminated backend) is not caught: the whole batch fails.
CREATE FUNCTION pl_append_batch(
  p_unit_parts integer[], p_unit_conds integer[],
  p_streams text[], p_expected text[], p_check_retry boolean[], p_id_counts integer[], p_ids uuid[], p_events jsonb,
  p_cond_streams text[], p_cond_revisions bigint[])
RETURNS TABLE (o_unit integer, o_part integer, o_revision bigint, o_tx xid8, o_positions bigint[], o_duplicate boolean,
  o_error_part integer, o_code text, o_message text, o_detail text, o_constraint text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_part integer := 0;     -- parts before this unit
  v_id integer := 0;       -- ids before this unit
  v_cond integer := 0;     -- conditions before this unit
  v_at integer;            -- the unit's part being appended (1-based in the unit)
  v_off integer;
  v_n integer;
  v_r record;
  v_revs bigint[];
  v_txs xid8[];
  v_dups boolean[];
  v_pos bigint[];
  v_stored text[];
  v_off2 integer;
BEGIN
  FOR u IN 1 .. coalesce(cardinality(p_unit_parts), 0) LOOP
    v_n := p_unit_parts[u];
    v_revs := '{}'; v_txs := '{}'; v_dups := '{}'; v_pos := '{}'; v_stored := '{}';
    v_at := 0;
    v_off := v_id;
    BEGIN
      FOR k IN v_part + 1 .. v_part + v_n LOOP
        v_at := v_at + 1;
        IF v_at = 1 AND p_unit_conds[u] > 0 THEN
          SELECT * INTO v_r FROM pl_append_if(p_cond_streams[v_cond + 1 : v_cond + p_unit_conds[u]],
            p_cond_revisions[v_cond + 1 : v_cond + p_unit_conds[u]], p_streams[k], p_expected[k],
            p_ids[v_off + 1 : v_off + p_id_counts[k]], p_events -> (k - 1), p_check_retry[k]);
        ELSE
          SELECT * INTO v_r FROM pl_append(p_streams[k], p_expected[k],
            p_ids[v_off + 1 : v_off + p_id_counts[k]], p_events -> (k - 1), p_check_retry[k]);
        END IF;
        v_off := v_off + p_id_counts[k];
        v_revs := v_revs || v_r.o_revision;
        v_txs := v_txs || v_r.o_tx;
        v_dups := v_dups || v_r.o_duplicate;
        v_pos := v_pos || v_r.o_positions;
        IF v_r.o_duplicate THEN v_stored := v_stored || p_streams[k]; END IF;
      END LOOP;
      IF cardinality(v_stored) > 0 AND cardinality(v_stored) < v_n THEN
        RAISE EXCEPTION 'the parts for % were stored already, the others not', array_to_string(v_stored, ', ')
          USING ERRCODE = 'PLD02', DETAIL = v_stored[1];
      END IF;
    EXCEPTION WHEN OTHERS THEN
      o_unit := u - 1; o_part := NULL; o_revision := NULL; o_tx := NULL; o_positions := NULL; o_duplicate := NULL;
      o_error_part := v_at - 1;
      GET STACKED DIAGNOSTICS o_code = RETURNED_SQLSTATE, o_message = MESSAGE_TEXT, o_detail = PG_EXCEPTION_DETAIL,
        o_constraint = CONSTRAINT_NAME;
      RETURN NEXT;
      v_revs := NULL;
    END;
    IF v_revs IS NOT NULL THEN
      v_off2 := 0;
      FOR i IN 1 .. v_n LOOP
        o_unit := u - 1; o_part := i - 1; o_revision := v_revs[i]; o_tx := v_txs[i]; o_duplicate := v_dups[i];
        o_positions := v_pos[v_off2 + 1 : v_off2 + p_id_counts[v_part + i]];
        o_error_part := NULL; o_code := NULL; o_message := NULL; o_detail := NULL; o_constraint := NULL;
        v_off2 := v_off2 + p_id_counts[v_part + i];
        RETURN NEXT;
      END LOOP;
    END IF;
    FOR k IN v_part + 1 .. v_part + v_n LOOP
      v_id := v_id + p_id_counts[k];
    END LOOP;
    v_part := v_part + v_n;
    v_cond := v_cond + p_unit_conds[u];
  END LOOP;
END
$fn$;
`,
  },
];
