"""Configuration: precedence, every bad-configuration message, secrets kept out of descriptions."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from rt_tui.cli import build_parser
from rt_tui.config import ConfigError, Target, load_settings, resolve_target_for_emulator

AZURE_ENV = {
    "AZURE_OPENAI_ENDPOINT": "https://env-res.openai.azure.com",
    "AZURE_OPENAI_DEPLOYMENT_NAME": "env-deployment",
}
KEY = "k3y-s3cr3t-0123456789abcdef"


def flags(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


@pytest.fixture
def config_file(tmp_path: Path):
    def write(text: str) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def isolated_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default config path must not pick up a real user's file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


# --- providers and routes -------------------------------------------------------------------------


def test_nothing_configured_means_the_local_emulator():
    settings = load_settings(flags(), env={})
    assert settings.target.provider == "local"
    assert settings.needs_embedded_emulator
    assert "local emulator" in settings.target.describe()


def test_local_flag_wins_over_an_azure_environment():
    target = load_settings(flags("--local"), env={**AZURE_ENV, "AZURE_OPENAI_API_KEY": KEY}).target
    assert target.provider == "local"


def test_azure_without_api_version_uses_the_ga_v1_route_with_key():
    target = load_settings(flags(), env={**AZURE_ENV, "AZURE_OPENAI_API_KEY": KEY}).target
    assert (target.provider, target.route, target.dialect, target.auth) == ("azure", "ga", "ga", "api-key")
    assert target.deployment == "env-deployment"
    assert target.endpoint == "https://env-res.openai.azure.com"


def test_azure_without_key_uses_entra():
    target = load_settings(flags(), env=AZURE_ENV).target
    assert target.auth == "entra"
    assert target.api_key is None


@pytest.mark.parametrize(
    ("api_version", "dialect"),
    [("2024-10-01-preview", "beta"), ("2025-04-01-preview", "beta"), ("2024-12-17", "beta"),
     ("2025-08-28", "ga"), ("2026-02-01", "ga")],
)
def test_api_version_selects_classic_route_and_dialect(api_version: str, dialect: str):
    target = load_settings(flags(), env={**AZURE_ENV, "OPENAI_API_VERSION": api_version}).target
    assert (target.route, target.dialect, target.api_version) == ("classic", dialect, api_version)


def test_openai_key_without_azure_endpoint_selects_openai():
    target = load_settings(flags(), env={"OPENAI_API_KEY": KEY}).target
    assert (target.provider, target.model, target.auth, target.dialect) == ("openai", "gpt-realtime", "bearer", "ga")
    assert target.endpoint == "https://api.openai.com/v1"


def test_openai_base_url_and_model_flag():
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://proxy.example.com/v1/"}
    target = load_settings(flags("--model", "gpt-realtime-mini"), env=env).target
    assert target.endpoint == "https://proxy.example.com/v1"
    assert target.model == "gpt-realtime-mini"


def test_azure_endpoint_wins_over_an_openai_key_unless_provider_says_otherwise():
    env = {**AZURE_ENV, "OPENAI_API_KEY": KEY}
    assert load_settings(flags(), env=env).target.provider == "azure"
    assert load_settings(flags(), env={**env, "RT_TUI_PROVIDER": "openai"}).target.provider == "openai"


def test_endpoint_tolerates_a_pasted_openai_suffix():
    env = {**AZURE_ENV, "AZURE_OPENAI_ENDPOINT": "https://res.cognitiveservices.azure.com/openai/v1/"}
    assert load_settings(flags(), env=env).target.endpoint == "https://res.cognitiveservices.azure.com"


# --- precedence -----------------------------------------------------------------------------------


def test_precedence_flag_over_env_over_file_over_default(config_file):
    path = config_file(
        'endpoint = "https://file-res.openai.azure.com"\n'
        'deployment = "file-deployment"\n'
        'api_version = "2025-04-01-preview"\n'
    )
    env_file_only = {"RT_TUI_CONFIG": str(path)}
    target = load_settings(flags(), env=env_file_only).target
    assert (target.host, target.model, target.api_version) == (
        "file-res.openai.azure.com", "file-deployment", "2025-04-01-preview")

    env = {**env_file_only, **AZURE_ENV, "OPENAI_API_VERSION": "2025-08-28"}
    target = load_settings(flags(), env=env).target
    assert (target.host, target.model, target.api_version) == (
        "env-res.openai.azure.com", "env-deployment", "2025-08-28")

    argv = ("--endpoint", "https://flag-res.openai.azure.com", "--model", "flag-deployment",
            "--api-version", "2026-01-01")
    target = load_settings(flags(*argv), env=env).target
    assert (target.host, target.model, target.api_version) == (
        "flag-res.openai.azure.com", "flag-deployment", "2026-01-01")


def test_model_defaults_to_gpt_realtime_and_file_can_change_it(config_file):
    path = config_file('model = "gpt-realtime-mini"\n')
    env = {"OPENAI_API_KEY": KEY}
    assert load_settings(flags(), env=env).target.model == "gpt-realtime"
    assert load_settings(flags(), env={**env, "RT_TUI_CONFIG": str(path)}).target.model == "gpt-realtime-mini"
    assert load_settings(flags("--config", str(path), "--model", "m2"), env=env).target.model == "m2"


def test_config_flag_wins_over_rt_tui_config(config_file, tmp_path: Path):
    path = config_file('local = true\n')
    env = {**AZURE_ENV, "RT_TUI_CONFIG": str(tmp_path / "absent.toml")}
    settings = load_settings(flags("--config", str(path)), env=env)
    assert settings.config_path == path
    assert settings.target.provider == "local"


def test_default_config_path_is_the_platform_config_dir(tmp_path: Path):
    path = tmp_path / "xdg" / "rt-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[session]\ninstructions = "Be brief."\n', encoding="utf-8")
    settings = load_settings(flags(), env={})
    assert settings.config_path == path
    assert settings.session == {"instructions": "Be brief."}


def test_profile_overlays_top_level_values(config_file):
    path = config_file(
        'endpoint = "https://base.openai.azure.com"\n'
        'deployment = "base"\n'
        '[session]\nvoice = "marin"\ninstructions = "top"\n'
        '[profiles.preview]\napi_version = "2025-04-01-preview"\ndeployment = "gpt-4o-realtime-preview"\n'
        '[profiles.preview.session]\ninstructions = "profile"\n'
    )
    settings = load_settings(flags("--config", str(path), "--profile", "preview"), env={})
    assert settings.target.model == "gpt-4o-realtime-preview"
    assert settings.target.dialect == "beta"
    assert settings.session == {"voice": "marin", "instructions": "profile"}
    assert load_settings(flags("--config", str(path)), env={}).target.model == "base"


def test_record_flag_becomes_a_path(tmp_path: Path):
    settings = load_settings(flags("--record", str(tmp_path / "s.jsonl")), env={})
    assert settings.record == tmp_path / "s.jsonl"


# --- bad configuration ----------------------------------------------------------------------------


def _error(argv: tuple[str, ...] = (), env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(flags(*argv), env=env or {})
    return info.value


@pytest.mark.parametrize(
    ("endpoint", "problem"),
    [
        ("my-res.openai.azure.com", "not an http(s) URL"),
        ("wss://my-res.openai.azure.com", "not an http(s) URL"),
        ("https://", "not an http(s) URL"),
        ("http://my-res.openai.azure.com", "https://"),
        ("https://my-res.openai.azure.com/openai/realtime", "path"),
        ("https://my-res.openai.azure.com?api-version=1", "query"),
        ("https://my-res.openai.azure.com:99999", "invalid port"),
    ],
)
def test_malformed_endpoint_names_the_variable(endpoint: str, problem: str):
    error = _error(env={**AZURE_ENV, "AZURE_OPENAI_ENDPOINT": endpoint})
    assert error.variable == "AZURE_OPENAI_ENDPOINT"
    assert "AZURE_OPENAI_ENDPOINT" in error.message and problem in error.message
    assert "https://my-resource.openai.azure.com" in error.message


def test_malformed_endpoint_flag_names_the_flag():
    error = _error(("--endpoint", "not a url"), env=AZURE_ENV)
    assert error.variable == "--endpoint" and "--endpoint" in error.message


def test_loopback_http_endpoint_is_allowed():
    env = {**AZURE_ENV, "AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:8080"}
    assert load_settings(flags(), env=env).target.endpoint == "http://127.0.0.1:8080"


def test_missing_deployment_names_the_variable():
    error = _error(env={"AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com"})
    assert error.variable == "AZURE_OPENAI_DEPLOYMENT_NAME"
    assert "AZURE_OPENAI_DEPLOYMENT_NAME" in error.message and "--model" in error.message


def test_invalid_deployment_name_names_the_variable():
    error = _error(env={**AZURE_ENV, "AZURE_OPENAI_DEPLOYMENT_NAME": "my deployment/1"})
    assert error.variable == "AZURE_OPENAI_DEPLOYMENT_NAME" and "not a valid deployment name" in error.message


@pytest.mark.parametrize("version", ["v1", "latest", "2025-8-28", "2025-08-28-beta", "preview"])
def test_unknown_api_version_form_names_the_variable(version: str):
    error = _error(env={**AZURE_ENV, "OPENAI_API_VERSION": version})
    assert error.variable == "OPENAI_API_VERSION"
    assert "unknown api-version form" in error.message and "YYYY-MM-DD" in error.message


def test_unknown_api_version_flag_names_the_flag():
    error = _error(("--api-version", "nope"), env=AZURE_ENV)
    assert error.variable == "--api-version"


def test_local_conflicts_with_an_explicit_endpoint_flag():
    error = _error(("--local", "--endpoint", "https://res.openai.azure.com"))
    assert error.variable == "--endpoint" and "conflict" in error.message


def test_api_version_flag_without_azure_is_a_conflict():
    error = _error(("--api-version", "2025-08-28"), env={"OPENAI_API_KEY": KEY})
    assert error.variable == "--api-version" and "AZURE_OPENAI_ENDPOINT" in error.message


def test_provider_azure_without_endpoint():
    error = _error(env={"RT_TUI_PROVIDER": "azure"})
    assert error.variable == "AZURE_OPENAI_ENDPOINT"


def test_provider_openai_without_key():
    error = _error(env={"RT_TUI_PROVIDER": "openai"})
    assert error.variable == "OPENAI_API_KEY"


def test_unknown_provider_value():
    error = _error(env={"RT_TUI_PROVIDER": "gemini"})
    assert error.variable == "RT_TUI_PROVIDER" and "azure, openai or local" in error.message


def test_bad_openai_base_url():
    error = _error(env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "api.openai.com"})
    assert error.variable == "OPENAI_BASE_URL" and "https://api.openai.com/v1" in error.message


def test_missing_explicit_config_file(tmp_path: Path):
    error = _error(env={"RT_TUI_CONFIG": str(tmp_path / "nope.toml")})
    assert "does not exist" in error.message and "RT_TUI_CONFIG" in error.variable


def test_unparsable_config_file(config_file):
    path = config_file("endpoint = \n")
    error = _error(("--config", str(path)))
    assert str(path) in error.message and "Cannot read config file" in error.message


def test_unknown_key_in_config_file(config_file):
    path = config_file('endpoint = "https://res.openai.azure.com"\ndeploymnet = "x"\n')
    error = _error(("--config", str(path)))
    assert error.variable == "deploymnet" and "Unknown key 'deploymnet'" in error.message
    assert "deployment" in error.message


@pytest.mark.parametrize("key", ["api_key", "azure_api_key", "openai_api_key"])
def test_a_key_in_the_config_file_is_refused_without_echoing_it(config_file, key: str):
    path = config_file(f'[profiles.p]\nendpoint = "https://res.openai.azure.com"\n{key} = "{KEY}"\n')
    error = _error(("--config", str(path), "--profile", "p"))
    assert error.variable == key and "api_key_env" in error.message
    assert KEY not in error.message


def test_api_key_env_reads_the_key_from_the_named_variable(config_file):
    path = config_file('theme = "rt-ember"\n[profiles.work]\nendpoint = "https://res.openai.azure.com"\n'
                       'deployment = "d"\napi_key_env = "WORK_AZURE_KEY"\n')
    argv = ("--config", str(path), "--profile", "work")
    target = load_settings(flags(*argv), env={"WORK_AZURE_KEY": KEY}).target
    assert (target.provider, target.auth, target.api_key) == ("azure", "api-key", KEY)
    # the standard variable still wins (environment over file)
    assert load_settings(flags(*argv), env={"WORK_AZURE_KEY": KEY, "AZURE_OPENAI_API_KEY": "other"}).target.api_key \
        == "other"
    error = _error(argv)
    assert error.variable == "WORK_AZURE_KEY" and "not set" in error.message


def test_api_key_env_without_endpoint_means_openai(config_file):
    path = config_file('api_key_env = "MY_OPENAI_KEY"\nmodel = "gpt-realtime-mini"\n')
    target = load_settings(flags("--config", str(path)), env={"MY_OPENAI_KEY": KEY}).target
    assert (target.provider, target.model, target.api_key) == ("openai", "gpt-realtime-mini", KEY)


def test_unknown_profile(config_file):
    path = config_file('[profiles.a]\nlocal = true\n')
    error = _error(("--config", str(path), "--profile", "b"))
    assert error.variable == "--profile" and "profiles: a" in error.message


def test_bad_value_from_file_names_the_file_key(config_file):
    path = config_file('endpoint = "ftp://res"\ndeployment = "d"\n')
    error = _error(("--config", str(path)))
    assert "'endpoint' in" in error.variable and str(path) in error.message


# --- secrets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {**AZURE_ENV, "AZURE_OPENAI_API_KEY": KEY},
        {**AZURE_ENV, "AZURE_OPENAI_API_KEY": KEY, "OPENAI_API_VERSION": "2025-04-01-preview"},
        {"OPENAI_API_KEY": KEY},
    ],
)
def test_describe_and_repr_never_contain_the_key(env: dict[str, str]):
    settings = load_settings(flags(), env=env)
    assert settings.target.api_key == KEY
    for text in (settings.target.describe(), repr(settings.target), repr(settings), str(settings)):
        assert KEY not in text
        assert KEY[:8] not in text


def test_describe_names_provider_host_deployment_dialect_and_auth():
    text = load_settings(flags(), env={**AZURE_ENV, "OPENAI_API_VERSION": "2025-04-01-preview"}).target.describe()
    for part in ("Azure OpenAI", "env-res.openai.azure.com", "env-deployment", "beta", "Microsoft Entra ID"):
        assert part in text


# --- emulator targets -----------------------------------------------------------------------------


def test_resolve_target_for_emulator_ga_and_beta():
    ga = resolve_target_for_emulator("ws://127.0.0.1:40123")
    assert ga == Target("local", "http://127.0.0.1:40123", "gpt-realtime", route="ga", dialect="ga", auth="none")
    beta = resolve_target_for_emulator("ws://127.0.0.1:40123/", dialect="beta")
    assert (beta.route, beta.dialect, beta.endpoint) == ("classic", "beta", "http://127.0.0.1:40123")
    assert beta.api_version and beta.api_version.endswith("-preview")
    assert "127.0.0.1:40123" in ga.describe() and "not a model" in ga.describe()


# --- Entra ID (the real azure-identity chain; Entra itself is unreachable here) -------------------


async def test_failing_credential_chain_gives_one_az_login_message():
    from azure.identity.aio import AzureCliCredential

    from rt_tui.core.auth import AuthError, entra_token_provider

    provider, credential = entra_token_provider(AzureCliCredential())  # no `az` on this machine
    try:
        with pytest.raises(AuthError) as info:
            await provider()
    finally:
        await credential.close()
    assert "az login" in str(info.value) and "AZURE_OPENAI_API_KEY" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("api_version", [None, "2025-04-01-preview"])
async def test_entra_target_builds_a_client_with_an_async_token_provider(api_version: str | None):
    from azure.identity.aio import AzureCliCredential

    from rt_tui.core.auth import AuthError, open_client

    env = {**AZURE_ENV, **({"OPENAI_API_VERSION": api_version} if api_version else {})}
    target = load_settings(flags(), env=env).target
    realtime = open_client(target, credential=AzureCliCredential())
    try:
        assert realtime.beta == (api_version is not None)
        with pytest.raises(AuthError, match="az login"):
            async with realtime.connect():  # the provider runs on connect, before any socket is opened
                pass
    finally:
        await realtime.aclose()


@pytest.mark.parametrize("variable", ["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT_NAME", "OPENAI_API_VERSION"])
def test_azure_settings_without_an_endpoint_ask_for_it(variable: str):
    error = _error(env={variable: "2025-08-28"})
    assert error.variable == "AZURE_OPENAI_ENDPOINT" and variable in error.message and "--local" in error.message
    # --local says the emulator is meant; an OpenAI key says OpenAI is meant
    assert load_settings(flags("--local"), env={variable: "x"}).target.provider == "local"
    assert load_settings(flags(), env={variable: "x", "OPENAI_API_KEY": KEY}).target.provider == "openai"


def test_record_to_an_existing_file_is_refused_and_the_file_kept(tmp_path: Path):
    existing = tmp_path / "session.jsonl"
    existing.write_text('{"kept": true}\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(flags("--record", str(existing)), env={})
    assert raised.value.variable == "--record" and "already exists" in raised.value.message
    assert existing.read_text() == '{"kept": true}\n'
    fresh = tmp_path / "new.jsonl"
    assert load_settings(flags("--record", str(fresh)), env={}).record == fresh
