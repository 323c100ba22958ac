#!/usr/bin/env bash
# PostgreSQL server binaries for the server test suite (tests/server/ starts its own throwaway
# cluster with initdb/pg_ctl; nothing here starts a server or creates a cluster).
# Installs Debian's `postgresql` only when no /usr/lib/postgresql/*/bin/initdb exists, so a
# machine that has it does no network work. Prints the bin directory it found.
set -euo pipefail

find_bindir() {
    local candidate
    for candidate in /usr/lib/postgresql/*/bin; do
        if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/postgres" ]; then
            echo "$candidate"
        fi
    done | sort -V | tail -n 1
}

bindir="$(find_bindir)"
if [ -z "$bindir" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install the" \
             "Debian package 'postgresql' (as root: apt-get install -y postgresql)." >&2
        exit 1
    fi
    # The tests make their own clusters; don't let the package create and start 'main'.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        mkdir -p /etc/postgresql-common
        echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    bindir="$(find_bindir)"
    if [ -z "$bindir" ]; then
        # dpkg believes it is installed but the files are gone: reinstall the server package.
        server_packages="$(dpkg-query -W -f='${Package}\n' 'postgresql-[0-9]*' 2>/dev/null \
            | grep -E '^postgresql-[0-9]+$' || true)"
        if [ -z "$server_packages" ]; then
            server_packages="postgresql-15"
        fi
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall $server_packages
        bindir="$(find_bindir)"
    fi
    if [ -z "$bindir" ]; then
        echo "Installed 'postgresql' but found no /usr/lib/postgresql/*/bin/initdb." >&2
        exit 1
    fi
fi
echo "$bindir"
