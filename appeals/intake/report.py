"""The report of an import: counts and the problems of its rows by line number (the first
MAX_STORED_PROBLEMS of each kind are kept), resumable from what a previous run committed."""

from dataclasses import dataclass, field

from ..models import AppealImport

MAX_STORED_PROBLEMS = 1000  # per kind (errors, warnings) in AppealImport.errors; the counts stay exact


@dataclass
class ImportReport:
    total_rows: int = 0
    processed_rows: int = 0
    created_count: int = 0
    existing_count: int = 0
    error_count: int = 0
    warning_count: int = 0
    # [{"line": 7, "error": "…"}, {"line": 9, "warning": "…"}] in line order within each kind.
    problems: list[dict] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if "error" in p]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if "warning" in p]

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if self.error_count <= MAX_STORED_PROBLEMS:
            self.problems.append({"line": line, "error": reason})

    def add_warning(self, line: int, reason: str) -> None:
        self.warning_count += 1
        if self.warning_count <= MAX_STORED_PROBLEMS:
            self.problems.append({"line": line, "warning": reason})

    @classmethod
    def resumed(cls, imp: AppealImport) -> "ImportReport":
        """The progress a previous run of this import committed (chunk and progress are one transaction)."""
        problems = list(imp.errors or [])
        return cls(
            processed_rows=imp.processed_rows,
            created_count=imp.created_count,
            existing_count=imp.existing_count,
            error_count=imp.error_count,
            warning_count=sum(1 for p in problems if "warning" in p),
            problems=problems,
        )

    def summary(self, *, dry_run: bool) -> str:
        created = "будет создано" if dry_run else "создано"
        text = (
            f"Строк с данными: {self.total_rows}; {created} обращений: {self.created_count}; "
            f"уже были в системе: {self.existing_count}; строк с ошибками: {self.error_count}; "
            f"предупреждений: {self.warning_count}."
        )
        if self.error_count > MAX_STORED_PROBLEMS or self.warning_count > MAX_STORED_PROBLEMS:
            text += f" Показаны первые {MAX_STORED_PROBLEMS} ошибок и предупреждений каждого вида."
        if self.unused_columns:
            text += " Не используются столбцы: " + ", ".join(f"«{c}»" for c in self.unused_columns) + "."
        return ("Пробный прогон, ничего не записано. " if dry_run else "") + text
