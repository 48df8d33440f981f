#!/bin/sh
# Runs once, when the db service's data directory is created: the optional replica service
# (docker-compose.yml, profile "replica") streams WAL as the organize superuser, with a password.
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
