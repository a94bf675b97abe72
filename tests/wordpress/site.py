"""Build, start and stop the real-WordPress test site; read its ground truth.

The site is WordPress 6.4.1 with the stack KalbarOnline ran (Newkarma + newkarma-core, Yoast SEO
21.5, AMP for WP 1.0.92, KIA Subtitle) from the archives in ``../shared/wordpress/``, on Debian's
PHP and MariaDB, everything on 127.0.0.1: MariaDB in a private data directory on a free port, and
``php -S`` with a router that does what WordPress's ``.htaccess`` does. Both are started and
stopped by pid. The site is seeded through WordPress's own PHP API (``php/seed.php``) from
:mod:`tests.wordpress.content`, and the ground truth comes from WordPress (``php/truth.php``
querying the database through WordPress's template functions), never from our parser.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PHP_DIR = HERE / "php"
REPO = HERE.parent.parent

#: Where the archives are looked for, first match wins. The environment variable lets a machine
#: keep them elsewhere; the default is the sibling ``shared/`` folder of this repository's home.
ARCHIVES_ENV = "NEWSARCHIVE_WORDPRESS_ARCHIVES"
ARCHIVE_CANDIDATES = (REPO.parent / "shared" / "wordpress",)
WHERE_ARCHIVES_COME_FROM = (
    "the real-WordPress archives (WordPress 6.4.1, Newkarma 2.0.1, Yoast SEO 21.5, AMP for WP"
    " 1.0.92, KIA Subtitle 3.0.3) are not here: they live in ../shared/wordpress/ beside this"
    f" repository, or in the folder ${ARCHIVES_ENV} names"
)
CORE = "wordpress-6.4.1.tar.xz"
THEMES = ("newkarma-2.0.1.zip",)
PLUGINS = (
    "newkarma-core-2.0.5.zip",
    "wordpress-seo-21.5.tar.xz",
    "accelerated-mobile-pages-1.0.92.tar.xz",
    "kia-subtitle-3.0.3.tar.xz",
)
#: Debian's packages the site needs (../shared/wordpress/README.md).
APT_PACKAGES = (
    "php-cli", "php-mysql", "php-xml", "php-mbstring", "php-gd", "php-curl", "php-intl",
    "php-zip", "mariadb-server",
)  # fmt: skip
ADMIN_PASSWORD = "admin-password"  # php/install.php; loopback only
PHP_WORKERS = "4"  # concurrent requests php -S answers (the crawler sends 2 at a time)


class SiteError(RuntimeError):
    """The test site could not be built or started; the message says which step and why."""


def archives_dir() -> Path | None:
    """The folder holding the archives, or None when this machine has none."""
    named = os.environ.get(ARCHIVES_ENV)
    candidates = [Path(named)] if named else list(ARCHIVE_CANDIDATES)
    for folder in candidates:
        if (folder / CORE).is_file():
            return folder
    return None


def missing_programs() -> list[str]:
    return [p for p in ("php", "mariadbd", "mariadb-install-db") if not _which(p)]


def _which(program: str) -> str | None:
    # mariadbd lives in /usr/sbin, which a non-root PATH may lack.
    return shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin")


def install_packages() -> None:
    """Install PHP and MariaDB with apt when missing (CI runs as root); a clear error otherwise."""
    if not missing_programs():
        return
    if os.geteuid() != 0:
        raise SiteError(
            f"PHP and MariaDB are missing ({', '.join(missing_programs())}) and only root can "
            f"install them: apt-get install {' '.join(APT_PACKAGES)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *APT_PACKAGES]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SiteError(f"{' '.join(cmd[:2])} failed: {done.stderr.strip()[-500:]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SiteError(f"{what} exited with {proc.returncode}: {_tail(log)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SiteError(f"{what} did not listen on 127.0.0.1:{port} within 60 s: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace").strip()[-800:]
    except OSError:
        return "(no log)"


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop(pid: int) -> None:
    """Stop a server and everything it forked: each runs in a session of its own (php -S
    forks PHP_CLI_SERVER_WORKERS workers that would outlive their parent), so its process
    group is signalled; SIGKILL after 20 s."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):  # not our child (the CLI's `stop`)
            os.waitpid(pid, os.WNOHANG)
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


class WordPressSite:
    """One real WordPress site in ``root`` (a folder of its own), on loopback.

    ``build()`` once (extract, install the database, install and seed WordPress), then
    ``start()``/``stop()``; ``configure()`` switches the Yoast options the tests vary.
    """

    def __init__(self, root: Path, archives: Path) -> None:
        self.root = root
        self.archives = archives
        self.docroot = root / "wordpress"
        self.datadir = root / "db"
        self.socket = root / "db.sock"
        self.state_file = root / "state.json"
        self.request_log = root / "requests.log"
        self.db_port = 0
        self.http_port = 0
        self.pids: dict[str, int] = {}
        if self.state_file.exists():
            state = json.loads(self.state_file.read_text())
            self.db_port, self.http_port = state["db_port"], state["http_port"]
            self.pids = state.get("pids", {})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def built(self) -> bool:
        return (self.root / "seeded").exists()

    def _save(self) -> None:
        state = {"db_port": self.db_port, "http_port": self.http_port, "pids": self.pids}
        self.state_file.write_text(json.dumps(state))

    # --- build ------------------------------------------------------------------------------

    def build(self) -> None:
        """Extract the stack, create the database, install WordPress and seed it."""
        install_packages()
        self.http_port = self.http_port or free_port()
        self._extract()
        self._install_database()
        self.start_database()
        self._php("install.php", installing=True)
        self.start_web()
        # AMP for WP saves its default settings on the first wp-admin page load; until then
        # its pages are incomplete (../shared/wordpress/README.md).
        self._load_admin_once()
        from tests.wordpress import content

        seed = self.root / "seed.json"
        seed.write_text(json.dumps(content.as_seed(self.url), ensure_ascii=False))
        self._php("seed.php", str(seed))
        (self.root / "seeded").touch()
        self._save()

    def _extract(self) -> None:
        if self.docroot.exists():
            shutil.rmtree(self.docroot)
        with tarfile.open(self.archives / CORE) as tar:
            tar.extractall(self.root, filter="data")
        for name, into in [(t, "themes") for t in THEMES] + [(p, "plugins") for p in PLUGINS]:
            dest = self.docroot / "wp-content" / into
            path = self.archives / name
            if name.endswith(".zip"):
                with zipfile.ZipFile(path) as z:
                    z.extractall(dest)
            else:
                with tarfile.open(path) as tar:
                    tar.extractall(dest, filter="data")
        shutil.copy(PHP_DIR / "wp-config.php", self.docroot / "wp-config.php")
        mu_plugins = self.docroot / "wp-content" / "mu-plugins"
        mu_plugins.mkdir(exist_ok=True)
        shutil.copy(PHP_DIR / "mu-plugin.php", mu_plugins / "newsarchive-test-switches.php")
        (self.docroot / "wp-content" / "uploads").mkdir(exist_ok=True)

    def _install_database(self) -> None:
        if self.datadir.exists():
            shutil.rmtree(self.datadir)
        cmd = [
            _which("mariadb-install-db") or "mariadb-install-db", "--no-defaults",
            f"--datadir={self.datadir}", "--auth-root-authentication-method=normal",
            "--skip-test-db", "--user=root",
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            raise SiteError(f"mariadb-install-db failed: {done.stderr.strip()[-800:]}")

    # --- processes --------------------------------------------------------------------------

    def start(self) -> None:
        if not self.built:
            raise SiteError(f"no site built in {self.root}: build() first")
        self.start_database()
        self.start_web()
        self._save()

    def start_database(self) -> None:
        if _alive(self.pids.get("db")):
            return
        self.db_port = free_port()
        log = self.root / "mariadb.log"
        cmd = [
            _which("mariadbd") or "mariadbd", "--no-defaults", f"--datadir={self.datadir}",
            f"--socket={self.socket}", "--bind-address=127.0.0.1", f"--port={self.db_port}",
            "--skip-log-bin", "--user=root", f"--pid-file={self.root / 'mariadb.pid'}",
            "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=0",
            "--skip-name-resolve",
        ]  # fmt: skip
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=log.open("ab"), start_new_session=True
        )
        self.pids["db"] = proc.pid
        self._save()
        _wait_for_port(self.db_port, proc, "mariadbd", log)
        self._sql("CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4")

    def start_web(self) -> None:
        if _alive(self.pids.get("web")):
            return
        log = self.root / "php.log"
        env = {**self._env(), "PHP_CLI_SERVER_WORKERS": PHP_WORKERS}
        cmd = [
            "php", "-d", "display_errors=stderr", "-d", "memory_limit=512M",
            "-S", f"127.0.0.1:{self.http_port}", "-t", str(self.docroot), str(PHP_DIR / "router.php"),
        ]  # fmt: skip
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=log.open("ab"), start_new_session=True
        )
        self.pids["web"] = proc.pid
        self._save()
        _wait_for_port(self.http_port, proc, "php -S", log)

    def stop(self) -> None:
        for name in ("web", "db"):
            pid = self.pids.pop(name, None)
            if pid:
                _stop(pid)
        self._save()

    # --- WordPress --------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "NEWSARCHIVE_WP_URL": self.url,
            "NEWSARCHIVE_WP_DB_PORT": str(self.db_port),
            "NEWSARCHIVE_WP_ROOT": str(self.docroot),
            "NEWSARCHIVE_WP_REQUEST_LOG": str(self.request_log),
        }

    def _php(self, script: str, *args: str, installing: bool = False) -> str:
        cmd = ["php", "-d", "display_errors=stderr", "-d", "memory_limit=512M"]
        cmd += [str(PHP_DIR / script), *args]
        env = self._env()
        if installing:
            env["NEWSARCHIVE_WP_INSTALLING"] = "1"
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=self.docroot)
        if done.returncode:
            raise SiteError(
                f"php {script} exited {done.returncode}: "
                f"{(done.stderr.strip() or done.stdout.strip())[-1500:]}"
            )
        return done.stdout

    def _load_admin_once(self) -> None:
        """Log in as the admin and open wp-admin, as the site's owner would after activating
        the plugins (the first loads redirect to AMP for WP's welcome screen)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = urllib.parse.urlencode({
            "log": "admin", "pwd": ADMIN_PASSWORD, "testcookie": "1",
            "redirect_to": f"{self.url}/wp-admin/",
        }).encode()  # fmt: skip
        opener.open(f"{self.url}/wp-login.php", timeout=60).read()  # sets the test cookie
        for _ in range(3):
            with opener.open(f"{self.url}/wp-login.php", data=form, timeout=120) as response:
                response.read()
            with opener.open(f"{self.url}/wp-admin/", timeout=120) as response:
                page = response.read().decode("utf-8", "replace")
        if "wp-admin-bar" not in page and "adminmenu" not in page:
            raise SiteError(f"wp-admin did not open after logging in: {page[:300]!r}")

    def _sql(self, statement: str) -> None:
        client = _which("mariadb") or _which("mysql") or "mariadb"
        cmd = [client, "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", statement]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            raise SiteError(f"SQL {statement!r} failed: {done.stderr.strip()}")

    def configure(
        self, *, yoast_organisation: bool, strip_category_base: bool, default_image: bool = False
    ) -> None:
        """Set the two Yoast options real sites differ in: the site as an organisation with a
        logo (Yoast's graph then has an Article piece) or representing nobody, as installed (no
        Article); "strip the category base"; and Yoast's default og:image (the site's share
        image on every page without one of its own). WordPress rebuilds its rewrite rules."""
        self._php(
            "configure.php",
            "organisation" if yoast_organisation else "nobody",
            "strip" if strip_category_base else "keep",
            "default-image" if default_image else "no-default-image",
        )

    def channels_off(self, *channels: str) -> None:
        """Turn discovery channels off ("rest": 401, "feed": 404, "sitemaps": Yoast's and
        WordPress's sitemaps disabled, "yoast-sitemaps": Yoast's only); with no argument,
        every channel back on."""
        self._php("channels.php", "off" if channels else "on", *channels)

    def publish_post(self, title: str, category: str, paragraph: str) -> int:
        """Publish a new post now (in the category with that slug); its ID."""
        return int(self._php("change.php", "publish", "0", title, category, paragraph).split()[1])

    def edit_post(self, post_id: int, paragraph: str) -> None:
        """Add a paragraph after a published post's first, as an editor would (modified:
        now); the dateline and the sign-off stay where they were."""
        self._php("change.php", "edit", str(post_id), paragraph)

    def trash_post(self, post_id: int) -> None:
        """Move a post to the trash: its permalink answers 404 and the channels drop it."""
        self._php("change.php", "trash", str(post_id))

    def restore_post(self, post_id: int) -> None:
        self._php("change.php", "untrash", str(post_id))

    def truth(self) -> list[dict[str, Any]]:
        """Every published post as WordPress itself renders its fields (php/truth.php)."""
        return list(json.loads(self._php("truth.php")))

    def sections(self) -> list[dict[str, Any]]:
        """The site's categories: slug, name, listing URL and post count, from WordPress."""
        return list(json.loads(self._php("truth.php", "sections")))

    def requests(self) -> list[tuple[int, str]]:
        """(status, path) of every request the site answered since the log was last cleared."""
        if not self.request_log.exists():
            return []
        out = []
        for line in self.request_log.read_text().splitlines():
            status, _method, path = line.split(" ", 2)
            out.append((int(status), path))
        return out

    def clear_requests(self) -> None:
        self.request_log.unlink(missing_ok=True)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


@contextmanager
def running_site(root: Path | None = None) -> Iterator[WordPressSite]:
    """A built, started site for the duration of the block; stopped (and its temp dir removed,
    when it made one) afterwards."""
    archives = archives_dir()
    if archives is None:
        raise SiteError(WHERE_ARCHIVES_COME_FROM)
    made = root is None
    # A short path: MariaDB's socket path must stay under 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="nawp-")) if root is None else root
    site = WordPressSite(folder, archives)
    try:
        if not site.built:
            site.build()
        site.start()
        yield site
    finally:
        site.stop()
        if made:
            shutil.rmtree(folder, ignore_errors=True)
