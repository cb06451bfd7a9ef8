"""Who may see what on a shared PostgreSQL server: roles, grants and row-level security.

Three kinds of database account, each a login role that is a member of one
group role per database (``<database>_trainee`` and so on):

* **trainee**: reads only their own trainee row, sessions, turns and
  summaries; may start a session only for themselves, add turns only to their
  own unfinished sessions, close them through :data:`FINISH` and drop their
  own empty ones; never updates a stored turn, a score or a summary;
* **trainer**: reads everything (every trainee's turns); writes no practice
  record;
* **lead**: reads everything of their team (trainees whose ``team`` is the
  lead's) and manages their team's assignments; writes no practice record.

Identity comes from the connecting role, never from the client: a trainee is
the ``trainees`` row whose ``db_role`` is ``current_user``; trainers and leads
are rows of ``staff``.  The policies below are keyed on those two tables, so
they hold whatever a client sends.

The figures derived from what a trainee records (a session's running score
and turn count, per-session and per-trainee category counts, the per-trainee
summaries) are kept by the server itself on PostgreSQL, in triggers and in one
function that run as the tables' owner: a trainee needs no ``UPDATE`` right
on any table.  The judgement of a reply happens in the client, so a trainee
who writes SQL by hand can still *record* a turn with any score for
themselves; the server guarantees whose records they are, that stored turns
and closed sessions never change, and that a session closes at most at the
mean of its stored turns.

The schema side (functions, triggers, policies) is part of migrations 6 and 7
(:func:`postgres_migration`, applied by ``Store`` on PostgreSQL only); the
accounts and grants are made by ``simulator admin`` (:func:`init` and the
``add_*`` functions), which needs a role allowed to create roles.  SQLite is
single-user: it gets the same tables and none of this.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .drivers import Driver
from .errors import StoreError

KINDS = {"trainee": "学员", "trainer": "培训师", "lead": "组长"}
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

FINISH = "simulator_finish_session"
FINISH_ARGUMENTS = "p_session bigint, p_ended_at text, p_ending text, p_outcome text, p_score integer, p_passed boolean"
FINISH_SIGNATURE = f"{FINISH}(bigint, text, text, text, integer, boolean)"

# Tables every kind of account reads (rows filtered by the policies).
READ_TABLES = [
    "meta",
    "schema_version",
    "scenario_titles",
    "trainees",
    "staff",
    "sessions",
    "turns",
    "session_categories",
    "trainee_summary",
    "trainee_scenarios",
    "trainee_categories",
    "disputes",
    "review_marks",
    "assignments",
]
SESSION_START_COLUMNS = "trainee_id, scenario, scenario_title, content_version, mode, seed, started_at"
DISPUTE_COLUMNS = "session_id, n, trainee_id, comment, created_at"
MARK_COLUMNS = "session_id, n, reviewer, kind, category, words, comment, created_at"
TURN_COLUMNS = (
    "session_id, n, node, customer, reply, timed_out, outcome, mood_before, mood, score, next_node, seconds, "
    "detail, created_at"
)

# SQL used by the policies: the trainee ids the connecting role may read, and its own.
VISIBLE_TRAINEES = "(SELECT id FROM trainees)"  # trainees' own policy decides which rows that is
OWN_TRAINEE = "(SELECT id FROM trainees WHERE db_role = current_user)"
IS_TRAINER = "EXISTS (SELECT 1 FROM staff s WHERE s.db_role = current_user AND s.kind = 'trainer')"


@dataclass(frozen=True)
class Identity:
    """Who the store is connected as.

    ``kind``: ``owner`` (SQLite, or the role that owns the tables: sees and may
    do everything), ``trainee``, ``trainer``, ``lead``, or ``none`` (a role the
    database does not know: sees nothing).
    """

    kind: str
    role: str | None = None
    name: str | None = None  # a trainee's name
    team: str | None = None

    @property
    def can_play(self) -> bool:
        return self.kind in ("owner", "trainee")

    @property
    def can_assign(self) -> bool:
        return self.kind in ("owner", "lead")

    def describe(self) -> str:
        """The account in Chinese, for messages: "学员 王小明（数据库账号 wang）"."""
        if self.kind == "owner":
            return "管理员" + (f"（数据库账号 {self.role}）" if self.role else "（本机数据库）")
        if self.kind == "none":
            return f"未登记的数据库账号 {self.role}"
        who = KINDS[self.kind] + (f" {self.name}" if self.name else "")
        team = f"，所在组：{self.team}" if self.team else ""
        return f"{who}（数据库账号 {self.role}{team}）"


def identity(driver: Driver) -> Identity:
    """Who ``driver`` is connected as (SQLite: always the owner)."""
    if driver.name != "postgresql":
        return Identity("owner")
    [(user, owner)] = driver.execute(
        "SELECT current_user, pg_has_role(current_user, (SELECT tableowner FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'sessions'), 'MEMBER')"
    )
    if owner:
        return Identity("owner", role=user)
    staff = driver.execute("SELECT kind, team FROM staff WHERE db_role = current_user")
    if staff:
        return Identity(staff[0][0], role=user, team=staff[0][1])
    trainee = driver.execute("SELECT name, team FROM trainees WHERE db_role = current_user")
    if trainee:
        return Identity("trainee", role=user, name=trainee[0][0], team=trainee[0][1])
    return Identity("none", role=user)


class Store(Protocol):
    """What the admin operations use of ``store.Store`` (not imported: the store package imports this module)."""

    driver: Driver
    clock: Callable[[], str]

    @property
    def schema_version(self) -> int: ...
    def identity(self) -> Identity: ...
    def canonical_name(self, name: str) -> str: ...
    def trainee_id(self, name: str) -> int: ...


# -- the schema side (migrations 6 and 7 on PostgreSQL) ------------------------------------


def _definer(name: str, returns: str, body: str, schema: str, args: str = "") -> str:
    """A function run with its owner's rights, with a search path nobody else can write to."""
    return (
        f"CREATE FUNCTION {name}({args}) RETURNS {returns} LANGUAGE plpgsql SECURITY DEFINER "
        f"SET search_path = {schema}, pg_temp AS $body$\n{body}\n$body$"
    )


def _session_started(schema: str) -> str:
    return _definer(
        "simulator_session_started",
        "trigger",
        """
BEGIN
  INSERT INTO scenario_titles (scenario, title) VALUES (NEW.scenario, NEW.scenario_title)
    ON CONFLICT (scenario) DO UPDATE SET title = excluded.title;
  INSERT INTO trainee_summary (trainee_id, sessions, last_played) VALUES (NEW.trainee_id, 1, NEW.started_at)
    ON CONFLICT (trainee_id) DO UPDATE SET sessions = trainee_summary.sessions + 1,
      last_played = CASE WHEN trainee_summary.last_played IS NULL
        OR trainee_summary.last_played < excluded.last_played
        THEN excluded.last_played ELSE trainee_summary.last_played END;
  RETURN NULL;
END""",
        schema,
    )


def _session_discarded(schema: str) -> str:
    return _definer(
        "simulator_session_discarded",
        "trigger",
        """
BEGIN
  UPDATE trainee_summary SET sessions = sessions - 1,
    last_played = (SELECT MAX(started_at) FROM sessions WHERE trainee_id = OLD.trainee_id)
    WHERE trainee_id = OLD.trainee_id;
  RETURN NULL;
END""",
        schema,
    )


def _turn_recorded(schema: str) -> str:
    # Each category counts once per turn and kind, as SessionRecorder.record_turn counts on SQLite.
    return _definer(
        "simulator_turn_recorded",
        "trigger",
        """
DECLARE
  v_detail jsonb := NEW.detail::jsonb;
  v_trainee bigint;
BEGIN
  SELECT trainee_id INTO v_trainee FROM sessions WHERE id = NEW.session_id;
  WITH counted AS (
    SELECT 'prohibited' AS kind, h ->> 'category' AS category
      FROM jsonb_array_elements(COALESCE(v_detail -> 'prohibited', '[]')) h
    UNION SELECT 'standard', h ->> 'category' FROM jsonb_array_elements(COALESCE(v_detail -> 'standard', '[]')) h
    UNION SELECT 'missed', m #>> '{}' FROM jsonb_array_elements(COALESCE(v_detail -> 'missed', '[]')) m
  ), per_session AS (
    INSERT INTO session_categories (session_id, trainee_id, kind, category, count)
      SELECT NEW.session_id, v_trainee, kind, category, 1 FROM counted
      ON CONFLICT (session_id, kind, category) DO UPDATE SET count = session_categories.count + 1
  )
  INSERT INTO trainee_categories (trainee_id, kind, category, count)
    SELECT v_trainee, kind, category, 1 FROM counted
    ON CONFLICT (trainee_id, kind, category) DO UPDATE SET count = trainee_categories.count + 1;
  -- The running score: the mean of the stored turns, rounded half to even as Python's round().
  UPDATE sessions SET (turns, score) = (
    SELECT count(*), round(sum(t.score)::float8 / count(*)) FROM turns t WHERE t.session_id = NEW.session_id
  ) WHERE id = NEW.session_id;
  RETURN NULL;
END""",
        schema,
    )


def _finish_session(schema: str) -> str:
    # The same figures as store/summaries.session_finished, computed by the server.
    return _definer(
        FINISH,
        "boolean",
        f"""
DECLARE
  s sessions%ROWTYPE;
  v_old text;
  v_recent jsonb;
  v_exam integer;
  v_passed integer := p_passed::integer;
BEGIN
  SELECT * INTO s FROM sessions WHERE id = p_session FOR UPDATE;
  -- Only the session's own trainee (the connecting role) or the tables' owner closes it.
  IF NOT FOUND OR NOT (pg_has_role(session_user, current_user, 'MEMBER')
      OR EXISTS (SELECT 1 FROM trainees t WHERE t.id = s.trainee_id AND t.db_role = session_user)) THEN
    RAISE EXCEPTION 'session not found or not yours' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF s.finished = 1 THEN
    RETURN false;  -- closing twice counts once
  END IF;
  -- A close may take a bad-ending penalty off the turns' mean, never add to it.
  IF p_score IS NULL OR p_score < 0 OR p_score > COALESCE(s.score, 0) THEN
    RAISE EXCEPTION 'a session closes at most at the mean of its turns' USING ERRCODE = 'check_violation';
  END IF;
  IF p_passed AND p_outcome = 'bad' THEN
    RAISE EXCEPTION 'a bad ending never passes' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE sessions SET finished = 1, ended_at = p_ended_at, ending = p_ending, outcome = p_outcome,
    score = p_score, passed = v_passed WHERE id = p_session;
  v_exam := CASE WHEN s.mode = 'exam' THEN 1 ELSE 0 END;
  SELECT recent INTO v_old FROM trainee_summary WHERE trainee_id = s.trainee_id FOR UPDATE;
  SELECT COALESCE(jsonb_agg(r ORDER BY (r ->> 0) COLLATE "C" DESC, (r ->> 1)::bigint DESC), '[]') INTO v_recent
    FROM (SELECT r FROM jsonb_array_elements(
            COALESCE(v_old, '[]')::jsonb || jsonb_build_array(jsonb_build_array(s.started_at, s.id, p_score))) r
          ORDER BY (r ->> 0) COLLATE "C" DESC, (r ->> 1)::bigint DESC LIMIT 10) newest;
  UPDATE trainee_summary SET finished = finished + 1, score_sum = score_sum + p_score, scored = scored + 1,
    best = GREATEST(best, p_score), passed = passed + v_passed, exams = exams + v_exam,
    exam_passed = exam_passed + v_exam * v_passed, recent = v_recent::text
    WHERE trainee_id = s.trainee_id;
  INSERT INTO trainee_scenarios (trainee_id, scenario, sessions, score_sum, best, first_score, first_at, first_id,
      latest_score, latest_at, latest_id)
    VALUES (s.trainee_id, s.scenario, 1, p_score, p_score, p_score, s.started_at, s.id, p_score, s.started_at, s.id)
    ON CONFLICT (trainee_id, scenario) DO UPDATE SET sessions = trainee_scenarios.sessions + 1,
      score_sum = trainee_scenarios.score_sum + excluded.score_sum,
      best = GREATEST(trainee_scenarios.best, excluded.best),
      first_score = CASE WHEN {_earlier("excluded.first", "trainee_scenarios.first")}
        THEN excluded.first_score ELSE trainee_scenarios.first_score END,
      first_id = CASE WHEN {_earlier("excluded.first", "trainee_scenarios.first")}
        THEN excluded.first_id ELSE trainee_scenarios.first_id END,
      first_at = CASE WHEN {_earlier("excluded.first", "trainee_scenarios.first")}
        THEN excluded.first_at ELSE trainee_scenarios.first_at END,
      latest_score = CASE WHEN {_earlier("trainee_scenarios.latest", "excluded.latest")}
        THEN excluded.latest_score ELSE trainee_scenarios.latest_score END,
      latest_id = CASE WHEN {_earlier("trainee_scenarios.latest", "excluded.latest")}
        THEN excluded.latest_id ELSE trainee_scenarios.latest_id END,
      latest_at = CASE WHEN {_earlier("trainee_scenarios.latest", "excluded.latest")}
        THEN excluded.latest_at ELSE trainee_scenarios.latest_at END;
  RETURN true;
END""",
        schema,
        args=FINISH_ARGUMENTS,
    )


def _earlier(a: str, b: str) -> str:
    """SQL: session ``a`` comes before session ``b`` in (started_at, id) order (as summaries._earlier)."""
    return f"({a}_at < {b}_at OR ({a}_at = {b}_at AND {a}_id < {b}_id))"


def _read_by_trainee(table: str) -> str:
    return f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (trainee_id IN {VISIBLE_TRAINEES})"


def postgres_migration(version: int, schema: str) -> list[str]:
    """The PostgreSQL-only statements of migration ``version`` (``schema``: the quoted current schema)."""
    if version == 6:
        return [
            # The server keeps every figure derived from a trainee's records.
            _session_started(schema),
            "CREATE TRIGGER simulator_session_started AFTER INSERT ON sessions "
            "FOR EACH ROW EXECUTE FUNCTION simulator_session_started()",
            _session_discarded(schema),
            "CREATE TRIGGER simulator_session_discarded AFTER DELETE ON sessions "
            "FOR EACH ROW EXECUTE FUNCTION simulator_session_discarded()",
            _turn_recorded(schema),
            "CREATE TRIGGER simulator_turn_recorded AFTER INSERT ON turns "
            "FOR EACH ROW EXECUTE FUNCTION simulator_turn_recorded()",
            _finish_session(schema),
            # Functions are callable by everyone unless revoked; admin init grants the trainee group.
            f"REVOKE ALL ON FUNCTION {FINISH_SIGNATURE} FROM PUBLIC",
            # Row-level security: what each connecting role sees (the tables' owner is not subject to it).
            "ALTER TABLE trainees ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY trainees_read ON trainees FOR SELECT USING (db_role = current_user OR EXISTS ("
            "SELECT 1 FROM staff s WHERE s.db_role = current_user "
            "AND (s.kind = 'trainer' OR (s.kind = 'lead' AND s.team = trainees.team))))",
            "ALTER TABLE staff ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY staff_read ON staff FOR SELECT USING (db_role = current_user)",
            "ALTER TABLE sessions ENABLE ROW LEVEL SECURITY",
            _read_by_trainee("sessions"),
            "CREATE POLICY sessions_start ON sessions FOR INSERT WITH CHECK ("
            f"trainee_id IN {OWN_TRAINEE} AND finished = 0 AND score IS NULL AND turns = 0)",
            # A play that failed before its first reply leaves nothing behind.
            "CREATE POLICY sessions_discard ON sessions FOR DELETE USING ("
            f"finished = 0 AND turns = 0 AND trainee_id IN {OWN_TRAINEE})",
            "ALTER TABLE turns ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY turns_read ON turns FOR SELECT USING (session_id IN (SELECT id FROM sessions))",
            "CREATE POLICY turns_record ON turns FOR INSERT WITH CHECK (session_id IN ("
            f"SELECT id FROM sessions WHERE finished = 0 AND trainee_id IN {OWN_TRAINEE}))",
            "ALTER TABLE session_categories ENABLE ROW LEVEL SECURITY",
            _read_by_trainee("session_categories"),
            "ALTER TABLE trainee_summary ENABLE ROW LEVEL SECURITY",
            _read_by_trainee("trainee_summary"),
            "ALTER TABLE trainee_scenarios ENABLE ROW LEVEL SECURITY",
            _read_by_trainee("trainee_scenarios"),
            "ALTER TABLE trainee_categories ENABLE ROW LEVEL SECURITY",
            _read_by_trainee("trainee_categories"),
            # Migration 5's review loop: a trainee disputes their own turns; trainers mark any turn.
            "ALTER TABLE disputes ENABLE ROW LEVEL SECURITY",
            _read_by_trainee("disputes"),
            "CREATE POLICY disputes_raise ON disputes FOR INSERT WITH CHECK ("
            f"trainee_id IN {OWN_TRAINEE} "
            f"AND session_id IN (SELECT id FROM sessions WHERE trainee_id IN {OWN_TRAINEE}))",
            "ALTER TABLE review_marks ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY review_marks_read ON review_marks FOR SELECT USING ("
            "session_id IN (SELECT id FROM sessions))",
            f"CREATE POLICY review_marks_add ON review_marks FOR INSERT WITH CHECK ({IS_TRAINER})",
            # A new mark supersedes the active one on the same point (only superseded_by may change: see init).
            f"CREATE POLICY review_marks_supersede ON review_marks FOR UPDATE USING ({IS_TRAINER}) "
            f"WITH CHECK ({IS_TRAINER})",
        ]
    if version == 7:
        lead_covers = (
            "EXISTS (SELECT 1 FROM staff s WHERE s.db_role = current_user AND s.kind = 'lead' AND "
            "(s.team = assignments.team OR assignments.trainee_id IN "
            "(SELECT t.id FROM trainees t WHERE t.team = s.team)))"
        )
        return [
            "ALTER TABLE assignments ENABLE ROW LEVEL SECURITY",
            # A trainee sees what is assigned to them or their team; a lead their team's; a trainer all.
            "CREATE POLICY assignments_read ON assignments FOR SELECT USING ("
            f"trainee_id IN {VISIBLE_TRAINEES} OR team IN (SELECT team FROM trainees) "
            "OR EXISTS (SELECT 1 FROM staff s WHERE s.db_role = current_user "
            "AND (s.kind = 'trainer' OR s.team = assignments.team)))",
            f"CREATE POLICY assignments_add ON assignments FOR INSERT WITH CHECK ({lead_covers})",
            f"CREATE POLICY assignments_change ON assignments FOR UPDATE USING ({lead_covers}) "
            f"WITH CHECK ({lead_covers})",
            f"CREATE POLICY assignments_remove ON assignments FOR DELETE USING ({lead_covers})",
        ]
    return []


# -- accounts and grants (simulator admin) -------------------------------------------------


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A SQL string literal (standard_conforming_strings, PostgreSQL's default since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def check_role_name(role: str) -> str:
    if not ROLE_NAME.match(role):
        raise StoreError(
            f"数据库账号名 {role!r} 不合适：请用小写字母、数字和下划线，以字母或下划线开头，最长 63 个字符。"
        )
    return role


def group_roles(driver: Driver) -> dict[str, str]:
    """kind -> the group role of this database (``<database>_trainee`` …)."""
    [(database,)] = driver.execute("SELECT current_database()")
    prefix = re.sub(r"[^a-z0-9_]", "_", str(database).lower())[:54]
    if not prefix or not (prefix[0].isalpha() or prefix[0] == "_"):
        prefix = "db_" + prefix[:51]
    return {kind: f"{prefix}_{kind}" for kind in KINDS}


def _require_postgres(store: Store) -> Driver:
    driver = store.driver
    if driver.name != "postgresql":
        raise StoreError(
            "数据库账号与权限只用于 PostgreSQL：SQLite 是单人使用的本机文件。团队共用请先建 PostgreSQL 数据库，"
            "再用 --db postgresql://… 运行本命令（见 docs/团队部署指南.md）。"
        )
    if store.identity().kind != "owner":
        raise StoreError(f"只有建表的管理员账号能管理数据库账号与权限；当前是{store.identity().describe()}。")
    return driver


def _role_exists(driver: Driver, role: str) -> bool:
    return bool(driver.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)))


def init(store: Store) -> list[str]:
    """Create the group roles and grant them what each kind needs; idempotent. Returns what it did, in Chinese."""
    driver = _require_postgres(store)
    done = [f"✓ 数据表、触发器与行级安全策略已是最新（数据库版本 {store.schema_version}）"]
    groups = group_roles(driver)
    [(database,)] = driver.execute("SELECT current_database()")
    [(schema,)] = driver.execute("SELECT current_schema()")
    with driver.transaction():
        for kind, group in groups.items():
            if _role_exists(driver, group):
                done.append(f"· 角色组 {group}（{KINDS[kind]}）已存在")
            else:
                driver.execute(f"CREATE ROLE {quote_ident(group)} NOLOGIN")
                done.append(f"✓ 新建角色组 {group}（{KINDS[kind]}）")
        everyone = ", ".join(quote_ident(g) for g in groups.values())
        statements = [
            (
                f"REVOKE CONNECT, TEMPORARY ON DATABASE {quote_ident(database)} FROM PUBLIC",
                f"✓ 收回所有人连接数据库 {database} 的默认权限",
            ),
            (f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {everyone}", "✓ 三个角色组可以连接数据库"),
            (f"GRANT USAGE ON SCHEMA {quote_ident(schema)} TO {everyone}", f"✓ 三个角色组可以使用模式 {schema}"),
            (
                f"GRANT SELECT ON {', '.join(READ_TABLES)} TO {everyone}",
                "✓ 查询权限（能看到哪些行由行级安全策略决定：学员只看自己，组长看本组，培训师看全部）",
            ),
            (
                f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {', '.join(READ_TABLES)} FROM {everyone}",
                "✓ 收回其他写权限（以下逐项授予）",
            ),
            (
                f"GRANT INSERT ({SESSION_START_COLUMNS}) ON sessions TO {quote_ident(groups['trainee'])}",
                "✓ 学员：只能为自己开始练习（得分、结束状态等列不能写）",
            ),
            (
                f"GRANT DELETE ON sessions TO {quote_ident(groups['trainee'])}",
                "✓ 学员：可以删除自己没有任何回合的空练习",
            ),
            (
                f"GRANT INSERT ({TURN_COLUMNS}) ON turns TO {quote_ident(groups['trainee'])}",
                "✓ 学员：只能给自己未结束的练习追加回合；已保存的回合不能修改或删除",
            ),
            (
                f"GRANT USAGE ON SEQUENCE sessions_id_seq, turns_id_seq TO {quote_ident(groups['trainee'])}",
                "✓ 学员：可以取得新练习、新回合的编号",
            ),
            (
                f"GRANT EXECUTE ON FUNCTION {FINISH_SIGNATURE} TO {quote_ident(groups['trainee'])}",
                "✓ 学员：通过服务器函数结束自己的练习（得分不能高于各回合平均分）",
            ),
            (
                f"GRANT INSERT ({DISPUTE_COLUMNS}) ON disputes TO {quote_ident(groups['trainee'])}",
                "✓ 学员：可以对自己的回合提出申诉（“我认为判错了”）",
            ),
            (
                f"GRANT USAGE ON SEQUENCE disputes_id_seq TO {quote_ident(groups['trainee'])}",
                "✓ 学员：可以取得新申诉的编号",
            ),
            (
                f"GRANT INSERT ({MARK_COLUMNS}), UPDATE (superseded_by) ON review_marks TO "
                f"{quote_ident(groups['trainer'])}",
                "✓ 培训师：可以给任何回合写复核标记（新标记取代旧标记，旧的保留）；练习记录只读",
            ),
            (
                f"GRANT USAGE ON SEQUENCE review_marks_id_seq TO {quote_ident(groups['trainer'])}",
                "✓ 培训师：可以取得新复核标记的编号",
            ),
            (
                f"GRANT INSERT, UPDATE, DELETE ON assignments TO {quote_ident(groups['lead'])}",
                "✓ 组长：可以给本组学员布置、修改、撤销任务；练习记录只读",
            ),
            (
                f"GRANT USAGE ON SEQUENCE assignments_id_seq TO {quote_ident(groups['lead'])}",
                "✓ 组长：可以取得新任务的编号",
            ),
        ]
        for sql, said in statements:
            driver.execute(sql)
            done.append(said)
    return done


def _password_clause(password: str | None) -> str:
    if password is None:
        return ""
    if any(ch in password for ch in "\x00\r\n"):
        raise StoreError("密码不能包含换行或空字符。")
    return f" PASSWORD {_literal(password)}"


def new_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def _login_role(driver: Driver, role: str, group: str, password: str | None) -> tuple[list[str], str | None]:
    """Create the login role if missing (with ``password``, else a new one), and make it a member of ``group``.

    Returns what was done and the password to hand over (None when the role existed and kept its own).
    """
    done: list[str] = []
    given = None
    if _role_exists(driver, role):
        if password is not None:
            driver.execute(f"ALTER ROLE {quote_ident(role)} WITH LOGIN{_password_clause(password)}")
            done.append(f"✓ 数据库账号 {role} 已存在，已改为新密码")
        else:
            done.append(f"· 数据库账号 {role} 已存在，密码不变")
    else:
        given = password or new_password()
        driver.execute(f"CREATE ROLE {quote_ident(role)} WITH LOGIN{_password_clause(given)}")
        done.append(f"✓ 新建数据库账号 {role}")
        if password is not None:
            given = None  # the caller chose it: never echoed
    for other in group_roles(driver).values():
        if other != group and driver.execute(
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
            "WHERE r.rolname = ? AND u.rolname = ?",
            (other, role),
        ):
            driver.execute(f"REVOKE {quote_ident(other)} FROM {quote_ident(role)}")
            done.append(f"✓ 收回 {role} 在 {other} 中的成员身份")
    driver.execute(f"GRANT {quote_ident(group)} TO {quote_ident(role)}")
    done.append(f"✓ {role} 加入角色组 {group}")
    return done, given


def _check_group_roles(driver: Driver) -> dict[str, str]:
    groups = group_roles(driver)
    missing = [g for g in groups.values() if not _role_exists(driver, g)]
    if missing:
        raise StoreError(
            "还没有初始化账号与权限（缺少角色组 " + "、".join(missing) + "）；请先运行 simulator admin init。"
        )
    return groups


def add_trainee(
    store: Store, name: str, role: str | None, team: str | None, password: str | None
) -> tuple[list[str], str | None]:
    """Register trainee ``name`` (created if new) with ``team``; on PostgreSQL bind them to login ``role``."""
    name = name.strip()
    if not name:
        raise StoreError("学员姓名不能为空")
    driver = store.driver
    done: list[str] = []
    given = None
    if role is None:
        if driver.name == "postgresql":
            raise StoreError("PostgreSQL 上的学员需要一个数据库账号：请加 --role 账号名。")
        if store.identity().kind != "owner":
            raise StoreError("只有管理员能登记学员。")
    else:
        driver = _require_postgres(store)
        check_role_name(role)
        groups = _check_group_roles(driver)
    with driver.transaction():
        if role is not None:
            if driver.execute("SELECT 1 FROM staff WHERE db_role = ?", (role,)):
                raise StoreError(f"数据库账号 {role} 已登记为组长或培训师，不能同时是学员。")
            bound = driver.execute("SELECT name FROM trainees WHERE db_role = ?", (role,))
            canonical = store.canonical_name(name)
            if bound and bound[0][0] != canonical:
                raise StoreError(f"数据库账号 {role} 已属于学员 {bound[0][0]}。")
            steps, given = _login_role(driver, role, groups["trainee"], password)
            done += steps
        trainee_id = store.trainee_id(name)
        [(stored,)] = driver.execute("SELECT name FROM trainees WHERE id = ?", (trainee_id,))
        driver.execute("UPDATE trainees SET team = ? WHERE id = ?", (team, trainee_id))
        if role is not None:
            driver.execute("UPDATE trainees SET db_role = ? WHERE id = ?", (role, trainee_id))
        account = f"（数据库账号 {role}）" if role else ""
        done.append(f"✓ 学员 {stored}{account}" + (f"，所在组：{team}" if team else "，不属于任何组"))
    return done, given


def add_staff(
    store: Store, kind: str, role: str, team: str | None, password: str | None
) -> tuple[list[str], str | None]:
    """Register a lead (of ``team``) or a trainer with login ``role``."""
    driver = _require_postgres(store)
    check_role_name(role)
    if kind == "lead" and not team:
        raise StoreError("组长需要指定所带的组：--team 组名。")
    groups = _check_group_roles(driver)
    with driver.transaction():
        if driver.execute("SELECT 1 FROM trainees WHERE db_role = ?", (role,)):
            raise StoreError(f"数据库账号 {role} 已登记为学员，不能同时是{KINDS[kind]}。")
        done, given = _login_role(driver, role, groups[kind], password)
        driver.execute(
            "INSERT INTO staff (db_role, kind, team, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (db_role) DO UPDATE SET kind = excluded.kind, team = excluded.team",
            (role, kind, team if kind == "lead" else None, store.clock()),
        )
        scope = f"，负责的组：{team}" if kind == "lead" else "（可查看全部学员）"
        done.append(f"✓ {role} 登记为{KINDS[kind]}{scope}")
    return done, given


def set_team(store: Store, name: str, team: str | None) -> list[str]:
    """Move an existing trainee to ``team`` (None: no team); both stores."""
    if store.identity().kind != "owner":
        raise StoreError("只有管理员能调整学员所在的组。")
    canonical = store.canonical_name(name)
    with store.driver.transaction():
        rows = store.driver.execute("UPDATE trainees SET team = ? WHERE name = ? RETURNING name", (team, canonical))
    if not rows:
        raise StoreError(f"没有学员 {name}。")
    return [f"✓ 学员 {rows[0][0]} " + (f"调到组：{team}" if team else "不再属于任何组")]


def remove(store: Store, role: str, drop: bool) -> list[str]:
    """Take ``role`` off this database: no group, no trainee or staff binding; records stay."""
    driver = _require_postgres(store)
    check_role_name(role)
    done = []
    with driver.transaction():
        for group in group_roles(driver).values():
            if _role_exists(driver, group) and _role_exists(driver, role):
                driver.execute(f"REVOKE {quote_ident(group)} FROM {quote_ident(role)}")
        if driver.execute("DELETE FROM staff WHERE db_role = ? RETURNING kind", (role,)):
            done.append(f"✓ {role} 不再是组长或培训师")
        trainee = driver.execute("UPDATE trainees SET db_role = NULL WHERE db_role = ? RETURNING name", (role,))
        if trainee:
            done.append(f"✓ 学员 {trainee[0][0]} 的记录保留，但已与账号 {role} 解除绑定")
        if drop and _role_exists(driver, role):
            driver.execute(f"DROP ROLE {quote_ident(role)}")
            done.append(f"✓ 删除了数据库账号 {role}")
    return done or [f"· {role} 本来就没有登记"]


def accounts(store: Store) -> list[dict[str, str | None]]:
    """Every registered account: role, kind, trainee name, team."""
    driver = store.driver
    rows: list[dict[str, str | None]] = [
        {"role": role, "kind": kind, "name": None, "team": team}
        for role, kind, team in driver.execute("SELECT db_role, kind, team FROM staff ORDER BY kind, db_role")
    ]
    rows += [
        {"role": role, "kind": "trainee", "name": name, "team": team}
        for role, name, team in driver.execute(
            "SELECT db_role, name, team FROM trainees WHERE db_role IS NOT NULL OR team IS NOT NULL ORDER BY team, name"
        )
    ]
    return rows
