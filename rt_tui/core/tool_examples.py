"""The example tools' real implementations: current time, a canned weather lookup, a safe calculator.

Each takes the call's `arguments` (already parsed JSON) and returns the output object the model gets.
Problems (an unknown time zone, a bad expression) are answered as `{"error": …}`, as a real tool would,
never raised: the model should hear what went wrong.
"""

from __future__ import annotations

import ast
import math
import operator
from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEATHER = {
    "london": {"temperature_c": 14, "conditions": "light rain", "wind_kph": 18},
    "paris": {"temperature_c": 19, "conditions": "sunny", "wind_kph": 9},
    "new york": {"temperature_c": 22, "conditions": "partly cloudy", "wind_kph": 14},
    "tokyo": {"temperature_c": 26, "conditions": "humid, clear", "wind_kph": 6},
    "sydney": {"temperature_c": 17, "conditions": "windy", "wind_kph": 31},
}
UNKNOWN_PLACE_WEATHER = {"temperature_c": 20, "conditions": "clear", "wind_kph": 10}

MAX_EXPRESSION_CHARS = 200
MAX_EXPONENT = 1000
MAX_MAGNITUDE = 1e300


def current_time(arguments: dict[str, Any], now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> dict[str, Any]:
    """The time now in `timezone` (an IANA name such as Europe/Paris, or a city such as "Paris"; default UTC)."""
    wanted = str(arguments.get("timezone") or "UTC").strip()
    zone = _zone(wanted)
    if zone is None:
        return {"error": f"unknown time zone '{wanted}': use an IANA name such as Europe/Paris"}
    local = now().astimezone(zone)
    return {"timezone": str(zone), "time": local.strftime("%H:%M"), "date": local.date().isoformat(),
            "weekday": local.strftime("%A"), "utc_offset": local.strftime("%z")}


def _zone(name: str) -> ZoneInfo | None:
    if name.upper() in ("UTC", "GMT", "Z"):
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    city = name.replace(" ", "_").lower()
    matches = sorted(z for z in available_timezones() if z.lower().rsplit("/", 1)[-1] == city)
    return ZoneInfo(matches[0]) if matches else None


def weather(arguments: dict[str, Any]) -> dict[str, Any]:
    """Canned weather for a few cities (and a mild default elsewhere): no network, always the same."""
    location = str(arguments.get("location") or "").strip()
    if not location:
        return {"error": "missing 'location'"}
    data = WEATHER.get(location.lower().split(",")[0].strip(), UNKNOWN_PLACE_WEATHER)
    return {"location": location, **data, "source": "rt-tui canned data"}


def calculator(arguments: dict[str, Any]) -> dict[str, Any]:
    """Evaluate an arithmetic expression for real (no eval: a small interpreter over Python's AST)."""
    expression = str(arguments.get("expression") or "").strip()
    if not expression:
        return {"error": "missing 'expression'"}
    try:
        value = evaluate(expression)
    except CalculatorError as exc:
        return {"expression": expression, "error": str(exc)}
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return {"expression": expression, "result": value}


class CalculatorError(ValueError):
    pass


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan, "log": math.log, "log10": math.log10,
    "exp": math.exp, "abs": abs, "round": round, "floor": math.floor, "ceil": math.ceil,
}
_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}


def evaluate(expression: str) -> int | float:
    """Numbers, + - * / // % ** (also ^ as power), parentheses, pi/e/tau and a few math functions."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise CalculatorError(f"expression longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(expression.replace("^", "**").replace("×", "*").replace("÷", "/"), mode="eval")
    except SyntaxError:
        raise CalculatorError("not an arithmetic expression") from None
    try:
        value = _eval(tree.body)
    except ZeroDivisionError:
        raise CalculatorError("division by zero") from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise CalculatorError(f"cannot compute: {exc}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculatorError("the result is not a finite number")
    return value


def _eval(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise CalculatorError(f"exponent larger than {MAX_EXPONENT}")
        return _bounded(_BINARY[type(node.op)](left, right))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
            and not node.keywords and len(node.args) <= 2):
        return _bounded(_FUNCTIONS[node.func.id](*(_eval(arg) for arg in node.args)))
    raise CalculatorError(f"'{ast.unparse(node)}' is not allowed (numbers, + - * / // % ** ( ) and "
                          f"{', '.join(sorted(_FUNCTIONS))} only)")


def _bounded(value: Any) -> int | float:
    if isinstance(value, complex):
        raise CalculatorError("the result is a complex number")
    if abs(value) > MAX_MAGNITUDE:
        raise CalculatorError("the result is too large")
    return value


IMPLEMENTATIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "current_time": current_time,
    "weather": weather,
    "calculator": calculator,
}
