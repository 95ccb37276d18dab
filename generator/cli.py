"""The thin face: options -> pipeline -> exit status (0 ok, 1 data errors, 2 usage).

Nothing below this module prints or exits. `--help` text is the reference.
"""

from __future__ import annotations

import argparse
import gc
import re
import signal
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from generator import pipeline, report

#: China has kept UTC+8 without daylight saving since 1991; "the day" is Beijing's.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_today() -> date:
    return datetime.now(BEIJING).date()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，格式应为 YYYY-MM-DD") from None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if n < 1:
        raise argparse.ArgumentTypeError("工作日数至少为1")
    return n


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是年份") from None
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError("年份应在2000至2100之间")
    return year


#: argparse's own (English) messages -> Chinese; ours (from the type functions) pass through
_ARGPARSE_ZH = (
    (re.compile(r"the following arguments are required: (.*)"), "缺少必填参数：{0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "不认识的参数：{0}"),
    (
        re.compile(r"invalid choice: '?([^']*?)'? \(choose from (.*)\)"),
        "“{0}”不是可选的值，可选：{1}",
    ),
    (re.compile(r"expected one argument"), "需要一个值"),
    (re.compile(r"ambiguous option: (.*)"), "选项不明确：{0}"),
)


def _zh(message: str) -> str:
    head, rest = "", message
    if m := re.match(r"argument (\S+?): (.*)", message, re.DOTALL):
        head, rest = f"参数 {m.group(1)}：", m.group(2)
    for pattern, text in _ARGPARSE_ZH:
        if m := pattern.fullmatch(rest):
            groups = [g.replace("'", "").replace(", ", "、") for g in m.groups()]
            return head + text.format(*groups)
    return head + rest


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"registry：参数错误：{_zh(message)}\n")


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=Path("data"), help="数据目录（默认 data）")


def _add_today(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--today",
        type=_day,
        default=None,
        help="按哪一天推算状态和公示期，YYYY-MM-DD（默认北京时间今天）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="registry",
        description="中小企业公共服务示范平台名录：校验数据、生成网站。",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "validate",
        help="校验全部数据文件",
        description="校验 data/ 下的全部记录；有错误时退出码为 1。",
    )
    _add_data(p)
    _add_today(p)
    p.add_argument("--format", choices=sorted(report.FORMATTERS), default="text", help="输出格式")

    p = sub.add_parser(
        "build",
        help="生成网站",
        description="校验数据后生成完整网站（页面、开放数据、订阅源、搜索索引）。全部成功后才替换输出目录；失败时原网站保持不变。",
    )
    _add_data(p)
    _add_today(p)
    p.add_argument("--out", type=Path, default=Path("site"), help="输出目录（默认 site）")
    p.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help=argparse.SUPPRESS)

    p = sub.add_parser(
        "serve",
        help="本地预览网站（修改后自动刷新）",
        description="生成网站并在本机提供预览，data/、docs/ 或 mkdocs.yml 有改动时自动重新生成并刷新浏览器。",
    )
    _add_data(p)
    _add_today(p)
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--host", default="127.0.0.1", help="地址（默认 127.0.0.1，仅本机可访问）")
    p.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help=argparse.SUPPRESS)

    p = sub.add_parser(
        "check",
        help="按认定条件核对一个平台",
        description="按 data/rules.yaml 的认定条件逐条核对一个平台（条款见核对结果）。",
    )
    p.add_argument("id", help="平台编号，例如 bd-0007")
    _add_data(p)
    p.add_argument(
        "--on",
        type=_day,
        default=None,
        help="按哪天申报核对（默认：最近一次公示的开始日，没有公示则为今天）",
    )

    p = sub.add_parser(
        "workdays",
        help="计算 N 个工作日的期满日",
        description="打印自 START 起 N 个工作日的最后一天（含 START，跳过周末和法定节假日，调休上班日计入）。",
    )
    p.add_argument("start", type=_day, help="开始日期 YYYY-MM-DD")
    p.add_argument("n", type=_positive, help="工作日数")
    _add_data(p)

    p = sub.add_parser(
        "new",
        help="新建一个平台记录",
        description="用新的编号创建 data/platforms/<编号>.yaml，内容是一条推荐事件；创建后请补充简介、服务和指标。",
    )
    _add_data(p)
    p.add_argument("--name", required=True, help="平台名称")
    p.add_argument("--operator", required=True, help="运营单位名称")
    p.add_argument("--uscc", required=True, help="统一社会信用代码")
    p.add_argument("--established", required=True, type=_day, help="成立日期 YYYY-MM-DD")
    p.add_argument("--county", required=True, help="所在县（市、区）代码，见 data/counties.yaml")
    p.add_argument("--address", required=True, help="服务场所地址")
    p.add_argument("--phone", required=True, help="对外服务电话")
    p.add_argument(
        "--association",
        default=None,
        help="由全市性行业协会推荐时填写协会名称（data/associations.yaml 中的全称）",
    )
    p.add_argument("--recommended", type=_day, default=None, help="推荐日期（默认今天）")

    p = sub.add_parser(
        "calendar",
        help="节假日安排：为新的年份生成 calendar.yaml 骨架",
        description="管理 data/calendar.yaml 中 chinesecalendar 尚未收录的年份。",
    )
    calendar_sub = p.add_subparsers(dest="calendar_command", metavar="操作", parser_class=_Parser)
    calendar_sub.required = True
    q = calendar_sub.add_parser(
        "add",
        help="添加一个年份的骨架",
        description="按国务院办公厅节假日安排通知的结构（各节日的放假日和调休上班日）在 calendar.yaml 末尾添加 YEAR 年的骨架，供对照通知原文逐项填写。已有的年份不会被覆盖。",
    )
    q.add_argument("year", type=_year, help="年份，例如 2027")
    _add_data(q)

    p = sub.add_parser(
        "diff",
        help="与基准版本比较：变更摘要和只增不改检查",
        description="把工作区的数据与基准版本（git 提交、分支或标签）比较，输出 Markdown 格式的中文变更摘要（新增平台、新事件、状态变化、字段变更、新增公告、校验结果），并检查只增不改：记录文件不删除、不改名，编号不改、不复用，历史事件只在末尾追加，已发布的公告不再修改（可补充附件）。有不允许的变更或数据错误时退出码为 1，基准版本无法读取时为 2。",
    )
    p.add_argument("--base", required=True, metavar="REV", help="基准版本，例如 origin/main")
    _add_data(p)
    _add_today(p)
    return parser


def _print_problems(problems: Sequence[report.Problem], fmt: str = "text") -> None:
    sys.stdout.write(report.FORMATTERS[fmt](problems))


def cmd_validate(args: argparse.Namespace) -> int:
    result = pipeline.validate_dir(args.data, args.today or beijing_today(), with_model=False)
    _print_problems(result.problems, args.format)
    return 0 if result.ok else 1


def cmd_check(args: argparse.Namespace) -> int:
    outcome = pipeline.check_platform(args.data, args.id, args.on, beijing_today())
    if outcome.problems:
        sys.stdout.write(report.format_text(outcome.problems, summary=False))
    if outcome.report is None:
        return 1
    sys.stdout.write(outcome.report)
    return 0 if outcome.eligible else 1


def cmd_workdays(args: argparse.Namespace) -> int:
    end, problems = pipeline.period_end(args.data, args.start, args.n)
    if end is None:
        sys.stdout.write(report.format_text(problems, summary=False))
        return 1
    print(end.isoformat())
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    today = beijing_today()
    new = pipeline.NewPlatform(
        name=args.name,
        operator=args.operator,
        uscc=args.uscc,
        established=args.established,
        county=args.county,
        address=args.address,
        phone=args.phone,
        association=args.association,
        recommended=args.recommended or today,
    )
    path, problems = pipeline.new_platform(args.data, new, today)
    if path is None:
        sys.stdout.write(report.format_text(problems, summary=False))
        print("没有创建文件。请按上面的提示改正命令中的参数后重新运行。")
        return 1
    print(
        f"已创建 {path}。请补充简介（description）、服务内容（services）和年度指标（indicators），"
        f"然后运行 registry validate。"
    )
    return 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # SIGTERM (a CI job cancelled, a service stopped) ends a build like Ctrl-C does: the
    # staging folder goes and the previous site stays; SIGKILL is handled at the next run.
    raise SystemExit(128 + signum)


def cmd_calendar(args: argparse.Namespace) -> int:
    from generator import calendar_add

    path, problems = calendar_add.add_year(args.data, args.year)
    if path is None:
        sys.stdout.write(report.format_text(problems, summary=False))
        print("calendar.yaml 没有改动。")
        return 1
    print(
        f"已在 {path} 末尾添加{args.year}年的骨架。请对照国务院办公厅的通知原文逐项填写"
        f"（通知日期、各节日的放假日和调休上班日），然后运行 registry validate。"
    )
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    today = args.today or beijing_today()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    result = pipeline.build(args.data, args.out, today, args.config)
    if result.problems:
        _print_problems(result.problems)
    if not result.ok:
        print(f"网站未生成，{args.out} 保持原样。", file=sys.stderr)
        return 1
    index = (args.out / "index.html").resolve()
    print(
        f"已生成网站：{result.pages} 个页面，搜索索引收录 {result.indexed} 个页面，按 {today.isoformat()} 推算状态。"
    )
    print(
        f"打开方式：python -m http.server -d {args.out} 8000 然后访问 http://localhost:8000/"
        f"（或直接打开 {index}，但搜索需要通过网址访问）"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(
        args.data, args.config, args.host, args.port, lambda: args.today or beijing_today()
    )


def cmd_diff(args: argparse.Namespace) -> int:
    from generator import diff  # its git plumbing is not needed by the other commands

    outcome = diff.diff_against(args.data, args.base, args.today or beijing_today())
    sys.stdout.write(outcome.text)
    if outcome.usage_error:
        return 2
    return 0 if outcome.ok else 1


COMMANDS = {
    "serve": cmd_serve,
    "build": cmd_build,
    "validate": cmd_validate,
    "check": cmd_check,
    "workdays": cmd_workdays,
    "new": cmd_new,
    "diff": cmd_diff,
    "calendar": cmd_calendar,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    if argv is None and args.command == "validate":
        # The process ends with this command (argv None: the command line, not a caller in
        # Python). Its objects are left to the exit instead of a last garbage collection
        # over all of them: 0.2 s of a warm 10,000-record run.
        gc.freeze()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
