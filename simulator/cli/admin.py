"""``simulator admin``: database accounts, teams and what each may see, on a shared PostgreSQL server.

Thin over :mod:`simulator.store.roles`; every subcommand prints what it did.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

from ..terminal import printable
from .common import UsageError, database_url, dump, format_option, open_store

KIND_LABELS = {"trainee": "学员", "trainer": "培训师", "lead": "组长", "owner": "管理员", "none": "未登记"}


def _password(args: argparse.Namespace) -> str | None:
    if not getattr(args, "password_stdin", False):
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UsageError("--password-stdin：标准输入没有读到密码")
    return line


def _login_hint(args: argparse.Namespace, role: str) -> str:
    """The connection address the new account uses: this database's, with the account's name."""
    parts = urlsplit(database_url(args))
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, "", ""))


def _report(out: TextIO, done: list[str]) -> None:
    for line in done:
        out.write(printable(line) + "\n")


def _handed(out: TextIO, args: argparse.Namespace, role: str, password: str | None) -> None:
    if password is not None:
        out.write(f"初始密码：{password}（只显示这一次，请当面或用安全的方式交给本人）\n")
    out.write(f"连接地址：{_login_hint(args, role)}（密码可写在地址里或用 PGPASSWORD / ~/.pgpass 提供）\n")


def cmd_init(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..store import roles

    with open_store(args) as store:
        _report(out, roles.init(store))
        groups = roles.group_roles(store.driver)
    out.write(
        f"下一步：simulator --db … admin add-lead 账号 --team 组名；admin add-trainee 姓名 --role 账号 --team 组名"
        f"（角色组：{groups['trainee']}、{groups['trainer']}、{groups['lead']}）\n"
    )
    return 0


def cmd_add_trainee(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..store import roles

    password = _password(args)
    with open_store(args) as store:
        done, given = roles.add_trainee(store, args.name, args.role, args.team, password)
    _report(out, done)
    if args.role:
        _handed(out, args, args.role, given)
    return 0


def _add_staff(kind: str) -> Any:
    def handler(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
        from ..store import roles

        password = _password(args)
        with open_store(args) as store:
            done, given = roles.add_staff(store, kind, args.role, getattr(args, "team", None), password)
        _report(out, done)
        _handed(out, args, args.role, given)
        return 0

    return handler


def cmd_set_team(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..store import roles

    with open_store(args) as store:
        _report(out, roles.set_team(store, args.name, args.team))
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..store import roles

    with open_store(args) as store:
        _report(out, roles.remove(store, args.role, args.drop_role))
    return 0


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..store import roles

    with open_store(args, create=False) as store:
        rows = roles.accounts(store)
    if args.format == "json":
        dump(rows, out)
        return 0
    if not rows:
        out.write("还没有登记任何账号或分组（simulator admin add-trainee / add-lead / add-trainer）。\n")
        return 0
    for row in rows:
        who = KIND_LABELS[str(row["kind"])] + (f" {row['name']}" if row["name"] else "")
        account = f"账号 {row['role']}" if row["role"] else "（无账号）"
        team = f"组：{row['team']}" if row["team"] else "—"
        out.write(printable(f"{who}\t{account}\t{team}") + "\n")
    return 0


def cmd_whoami(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with open_store(args, create=False) as store:
        who = store.identity()
    if args.format == "json":
        dump({"kind": who.kind, "role": who.role, "name": who.name, "team": who.team}, out)
    else:
        out.write(printable(f"当前连接：{who.describe()}") + "\n")
    return 0


def add_parsers(sub: Any) -> None:
    """Register ``admin`` and its subcommands."""
    admin = sub.add_parser(
        "admin",
        help="团队数据库的账号、分组与权限（PostgreSQL）",
        description="在共用的 PostgreSQL 数据库上建立学员、组长、培训师账号，由服务器按账号限制能看、能改的内容。"
        "需要用建表的管理员账号连接（--db postgresql://管理员@主机/数据库）。详见 docs/团队部署指南.md。",
    )
    actions = admin.add_subparsers(dest="admin_command", metavar="操作", required=True)
    password = argparse.ArgumentParser(add_help=False)
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="从标准输入读一行作为新账号的密码（默认：新账号自动生成密码并显示一次）",
    )

    init = actions.add_parser(
        "init",
        help="建立（或升级）数据表、行级安全策略、三个角色组及其权限；可重复运行",
        description="建立（或升级）数据表、触发器和行级安全策略，建立学员、培训师、组长三个角色组并授予各自需要的权限。"
        "可以重复运行，每一步都会打印出来。",
    )
    init.set_defaults(handler=cmd_init)

    trainee = actions.add_parser(
        "add-trainee",
        parents=[password],
        help="登记学员（PostgreSQL 上同时建立其数据库账号）",
        description="登记一位学员（已有则更新）：--role 为其建立或绑定 PostgreSQL 账号，学员只能看到、写入自己的记录。",
    )
    trainee.add_argument("name", metavar="NAME", help="学员姓名（与练习时输入的一致）")
    trainee.add_argument("--role", metavar="ACCOUNT", help="数据库账号名（小写字母、数字、下划线）；SQLite 上不用")
    trainee.add_argument("--team", metavar="TEAM", help="所在的组（组长只看得到本组学员）")
    trainee.set_defaults(handler=cmd_add_trainee)

    lead = actions.add_parser(
        "add-lead",
        parents=[password],
        help="登记组长账号：只读本组全部记录，可给本组布置任务",
        description="建立或更新一个组长账号：可以查看本组学员的全部记录（只读），可以给本组布置任务。",
    )
    lead.add_argument("role", metavar="ACCOUNT", help="数据库账号名")
    lead.add_argument("--team", required=True, metavar="TEAM", help="所带的组")
    lead.set_defaults(handler=_add_staff("lead"))

    trainer = actions.add_parser(
        "add-trainer",
        parents=[password],
        help="登记培训师账号：可查看全部学员的全部对话",
        description="建立或更新一个培训师账号：可以查看所有学员的练习与对话，不能修改练习记录。",
    )
    trainer.add_argument("role", metavar="ACCOUNT", help="数据库账号名")
    trainer.set_defaults(handler=_add_staff("trainer"))

    team = actions.add_parser(
        "set-team",
        help="调整学员所在的组（SQLite 与 PostgreSQL 都可用）",
        description="把学员调到某个组；不写组名则表示不属于任何组。",
    )
    team.add_argument("name", metavar="NAME", help="学员姓名")
    team.add_argument("team", nargs="?", metavar="TEAM", help="组名（省略：不属于任何组）")
    team.set_defaults(handler=cmd_set_team)

    remove = actions.add_parser(
        "remove",
        help="停用一个账号（练习记录保留）",
        description="把账号移出本数据库的角色组，解除与学员或组长、培训师的绑定；练习记录保留。",
    )
    remove.add_argument("role", metavar="ACCOUNT", help="数据库账号名")
    remove.add_argument("--drop-role", action="store_true", help="同时删除这个数据库账号（其他数据库不再使用它时）")
    remove.set_defaults(handler=cmd_remove)

    listing = actions.add_parser(
        "list",
        parents=[format_option("table", "json", default="table")],
        help="列出已登记的账号与分组",
        description="列出组长、培训师和已登记账号或分组的学员。",
    )
    listing.set_defaults(handler=cmd_list)

    whoami = actions.add_parser(
        "whoami",
        parents=[format_option("text", "json", default="text")],
        help="显示当前以什么身份连接",
        description="显示当前连接数据库所用的身份：管理员、学员、组长、培训师或未登记账号。",
    )
    whoami.set_defaults(handler=cmd_whoami)
