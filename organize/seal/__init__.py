"""The seal: a tamper-evident Merkle log over the stored events (issue 21).

``merkle`` is RFC 6962 hashing; ``checkpoint`` the C2SP signed-note text and the Ed25519 key
kept outside the database; ``sealer`` the follower that writes block roots beside its
tracking position; ``verify`` recomputes everything from the stored events.
"""
