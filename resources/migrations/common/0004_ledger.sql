-- Double-entry ledger. Every movement of money is a journal entry whose postings sum to zero per
-- currency. Each account keeps its balance (updated in the same transaction as its postings, with
-- a conditional update so it never goes below zero unless the account allows it); the balance is
-- also derivable from the postings, and `paydesk-server ledger check` proves both agree.
CREATE TABLE ledger_accounts (
    id TEXT PRIMARY KEY,
    holder_type TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    allow_negative INTEGER NOT NULL DEFAULT 0,
    balance BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (holder_type, holder_id, kind, currency)
);

-- (kind, ref_type, ref_id) is unique: posting the same business event twice finds the first entry.
CREATE TABLE journal_entries (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    memo TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, ref_type, ref_id)
);

CREATE TABLE postings (
    entry_id TEXT NOT NULL REFERENCES journal_entries (id),
    line INTEGER NOT NULL,
    account_id TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    PRIMARY KEY (entry_id, line)
);
CREATE INDEX postings_account ON postings (account_id, entry_id);
