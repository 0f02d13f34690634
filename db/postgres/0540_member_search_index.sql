-- The register's text search (`q`) matches the start of the membership number, the email, the full name or the surname,
-- case-insensitively: a range on each of these expressions walks its index instead of reading 450,000 members.
-- COLLATE "C" orders by code point, so the range [prefix, prefix || U+10FFFF) holds exactly the values with that prefix.
CREATE INDEX ix_member_number_lower ON member ((lower(membership_number) COLLATE "C"));
CREATE INDEX ix_member_email_lower ON member ((lower(coalesce(email, '')) COLLATE "C"));
CREATE INDEX ix_member_name_lower ON member ((lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) COLLATE "C"));
CREATE INDEX ix_member_last_name_lower ON member ((lower(coalesce(last_name, '')) COLLATE "C"));
