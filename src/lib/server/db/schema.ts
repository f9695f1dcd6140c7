import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface UsersTable {
	id: Generated<number>;
	email: string;
	email_verified_at: Timestamp | null;
	handle: string;
	password_hash: string;
	created_at: CreatedAt;
	updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SessionsTable {
	id: string;
	user_id: number;
	secret_hash: Uint8Array;
	created_at: Timestamp;
	refreshed_at: Timestamp;
	expires_at: Timestamp;
}

export interface TokensTable {
	id: Generated<number>;
	user_id: number;
	email: string;
	token_hash: string;
	expires_at: Timestamp;
	created_at: CreatedAt;
}

export interface RateLimitBucketsTable {
	key: string;
	tokens: number;
	updated_at: Timestamp;
}

export interface OutboxTable {
	id: Generated<number>;
	to_address: string;
	subject: string;
	text_body: string;
	created_at: CreatedAt;
	sent_at: Timestamp | null;
}

export interface Database {
	users: UsersTable;
	sessions: SessionsTable;
	email_verification_tokens: TokensTable;
	password_reset_tokens: TokensTable;
	rate_limit_buckets: RateLimitBucketsTable;
	outbox: OutboxTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type OutboxMessage = Selectable<OutboxTable>;
