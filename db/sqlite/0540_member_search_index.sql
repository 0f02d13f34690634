-- The register's text search (`q`) matches the start of the membership number, the email, the full name or the surname,
-- case-insensitively: a range on each of these expressions walks its index instead of reading 450,000 members.
CREATE INDEX ix_member_number_lower ON member (lower(membership_number));
CREATE INDEX ix_member_email_lower ON member (lower(coalesce(email, '')));
CREATE INDEX ix_member_name_lower ON member (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')));
CREATE INDEX ix_member_last_name_lower ON member (lower(coalesce(last_name, '')));
