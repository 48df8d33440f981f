"""Where events and keys are kept: the msgspec mapper (``transcoder``), the master-key
cipher, the PostgreSQL recorder with the command log beside the events (``recorder``), data
keys and sealing (``keys``), the KEK outside PostgreSQL (``keyring``), opening pseudonyms
for reads (``reveal``), and the same in memory for use-case tests (``memory``)."""
