-- A var/app.db made by create_all before migrations existed (commit 8aff1a8), as SQL.
-- Rows: 2 applications with history, 2 bookings (one cancelled), a draft; no catalogue
-- rows; district_locations missing, as in deployments older than that table.
BEGIN TRANSACTION;
CREATE TABLE districts (
	id VARCHAR(32) NOT NULL, 
	name VARCHAR(32) NOT NULL, 
	aliases JSON NOT NULL, 
	position VARCHAR(4) NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE services (
	id VARCHAR(40) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	department VARCHAR(100) NOT NULL, 
	aliases JSON NOT NULL, 
	summary TEXT NOT NULL, 
	eligibility JSON NOT NULL, 
	materials JSON NOT NULL, 
	steps JSON NOT NULL, 
	time_limit TEXT NOT NULL, 
	fee TEXT NOT NULL, 
	needs_hall BOOLEAN NOT NULL, 
	hall_type VARCHAR(32) NOT NULL, 
	hall_note TEXT, 
	online JSON NOT NULL, 
	faqs JSON NOT NULL, 
	related JSON NOT NULL, 
	source TEXT NOT NULL, 
	updated DATE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
CREATE TABLE applications (
	id INTEGER NOT NULL, 
	receipt_no VARCHAR(10) NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	sender_id VARCHAR(200) NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	fields JSON NOT NULL, 
	id_last4 VARCHAR(4) NOT NULL, 
	phone_last4 VARCHAR(4) NOT NULL, 
	idempotency_key VARCHAR(200) NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (receipt_no), 
	UNIQUE (idempotency_key)
);
INSERT INTO applications VALUES(1,'4474830878','elderly-allowance','wx-alice','审核中','{"applicant": "agent", "agent_name": "\u674e\u5c0f\u7ea2", "agent_phone": "13900001111", "elder_name": "\u674e\u5927\u5c71", "elder_id": "340202194001011239", "district": "jinghu", "street": "\u8303\u7f57\u5c71\u8857\u9053\u8d6d\u5c71\u793e\u533a", "phone": "13812345678"}','1239','5678','wx-alice:1','2026-12-01 16:48:46.664959','2026-12-01 16:48:46.690477');
INSERT INTO applications VALUES(2,'7850404583','sbk-replace','web-bob','受理','{"name": "\u738b\u4e94", "id_number": "11010519491231002X", "reason": "lost", "delivery": "mail", "address": "\u955c\u6e56\u533a\u8d6d\u5c71\u8def18\u53f73\u680b201", "phone": "0553-3112233"}','002X','2233','web-bob:1','2026-12-01 16:48:46.726055','2026-12-01 16:48:46.726055');
CREATE TABLE appointment_slots (
	id INTEGER NOT NULL, 
	hall_id VARCHAR(64) NOT NULL, 
	day DATE NOT NULL, 
	slot VARCHAR(16) NOT NULL, 
	capacity INTEGER NOT NULL, 
	booked INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (hall_id, day, slot), 
	CONSTRAINT ck_slot_booked_within_capacity CHECK (booked >= 0 AND booked <= capacity)
);
INSERT INTO appointment_slots VALUES(1,'jinghu:government_center','2026-09-30','09:00-10:00',5,1);
INSERT INTO appointment_slots VALUES(2,'jinghu:government_center','2026-09-30','10:00-11:00',5,0);
INSERT INTO appointment_slots VALUES(3,'jinghu:government_center','2026-09-30','14:00-15:00',5,0);
INSERT INTO appointment_slots VALUES(4,'jinghu:government_center','2026-09-30','15:00-16:00',5,0);
INSERT INTO appointment_slots VALUES(5,'jinghu:government_center','2026-09-30','16:00-17:00',5,0);
CREATE TABLE appointments (
	id INTEGER NOT NULL, 
	receipt_no VARCHAR(10) NOT NULL, 
	service_id VARCHAR(40) NOT NULL, 
	hall_id VARCHAR(64) NOT NULL, 
	day DATE NOT NULL, 
	slot VARCHAR(16) NOT NULL, 
	name VARCHAR(50) NOT NULL, 
	phone VARCHAR(20) NOT NULL, 
	sender_id VARCHAR(200) NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	idempotency_key VARCHAR(200) NOT NULL, 
	created_at DATETIME NOT NULL, 
	cancelled_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (receipt_no), 
	UNIQUE (idempotency_key)
);
INSERT INTO appointments VALUES(1,'6476750348','sbk-replace','jinghu:government_center','2026-09-30','09:00-10:00','张三丰','138 1234 5678','wx-alice','已预约','wx-alice:2','2026-12-01 16:48:46.768380',NULL);
INSERT INTO appointments VALUES(2,'4705785609','sbk-replace','jinghu:government_center','2026-09-30','10:00-11:00','赵六','13700002222','web-carol','已取消','web-carol:1','2026-12-01 16:48:46.802525','2026-12-01 16:48:46.829431');
CREATE TABLE flow_drafts (
	id VARCHAR(32) NOT NULL, 
	sender_id VARCHAR(200) NOT NULL, 
	state JSON NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO flow_drafts VALUES('dddddddddddddddddddddddddddddddd','wx-dave','{"flow": "sbk-replace", "values": {"name": "\u5b59\u4e03"}}','2026-12-01 16:48:46.850520');
CREATE TABLE staff_users (
	id INTEGER NOT NULL, 
	username VARCHAR(32) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (username)
);
CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	username VARCHAR(100) NOT NULL, 
	action VARCHAR(60) NOT NULL, 
	detail JSON, 
	ip VARCHAR(64), 
	PRIMARY KEY (id)
);
CREATE TABLE login_attempts (
	id INTEGER NOT NULL, 
	"key" TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE console_models (
	id INTEGER NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	created_at DATETIME NOT NULL, 
	mode VARCHAR(16) NOT NULL, 
	reason TEXT NOT NULL, 
	trained_by VARCHAR(100) NOT NULL, 
	train_seconds FLOAT, 
	accuracy FLOAT, 
	report JSON, 
	compared_with VARCHAR(255), 
	gate_allowed BOOLEAN, 
	gate_reasons JSON, 
	PRIMARY KEY (id), 
	UNIQUE (filename)
);
CREATE TABLE console_model_activations (
	id INTEGER NOT NULL, 
	filename VARCHAR(255) NOT NULL, 
	previous VARCHAR(255), 
	kind VARCHAR(16) NOT NULL, 
	username VARCHAR(100) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE inbox_decisions (
	id INTEGER NOT NULL, 
	text_normalized VARCHAR(500) NOT NULL, 
	action VARCHAR(20) NOT NULL, 
	intent VARCHAR(100), 
	username VARCHAR(100) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_inbox_decisions_text UNIQUE (text_normalized)
);
CREATE TABLE halls (
	id VARCHAR(64) NOT NULL, 
	district_id VARCHAR(32) NOT NULL, 
	hall_type VARCHAR(32) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	address VARCHAR(200) NOT NULL, 
	hours VARCHAR(200) NOT NULL, 
	phone VARCHAR(40), 
	PRIMARY KEY (id), 
	UNIQUE (district_id, hall_type), 
	FOREIGN KEY(district_id) REFERENCES districts (id) ON DELETE CASCADE
);
CREATE TABLE application_status_history (
	id INTEGER NOT NULL, 
	application_id INTEGER NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	reason TEXT, 
	actor VARCHAR(100) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(application_id) REFERENCES applications (id) ON DELETE CASCADE
);
INSERT INTO application_status_history VALUES(1,1,'受理',NULL,'系统','2026-12-01 16:48:46.664959');
INSERT INTO application_status_history VALUES(2,1,'审核中',NULL,'张科员','2026-12-01 16:48:46.690477');
INSERT INTO application_status_history VALUES(3,2,'受理',NULL,'系统','2026-12-01 16:48:46.726055');
CREATE TABLE console_sessions (
	id VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES staff_users (id) ON DELETE CASCADE
);
CREATE INDEX ix_applications_sender_id ON applications (sender_id);
CREATE INDEX ix_appointments_sender_id ON appointments (sender_id);
CREATE INDEX ix_appointments_hall_day_slot ON appointments (hall_id, day, slot);
CREATE INDEX ix_flow_drafts_sender_id ON flow_drafts (sender_id);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_login_attempts_at ON login_attempts (at);
CREATE INDEX ix_login_attempts_key ON login_attempts ("key");
CREATE INDEX ix_console_model_activations_at ON console_model_activations (at);
CREATE INDEX ix_application_status_history_application_id ON application_status_history (application_id);
CREATE INDEX ix_console_sessions_user_id ON console_sessions (user_id);
COMMIT;
