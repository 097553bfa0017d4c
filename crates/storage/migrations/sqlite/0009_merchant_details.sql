-- Merchant details (registry issue, part 2): several contacts per merchant and business hours.
-- contacts: a JSON array of {"name", "phone", "role", "primary"}, the primary contact first;
--   its name and phone are mirrored in contact_name / contact_phone (the foundation's single
--   contact, still read by older clients). NULL: no contacts.
-- business_hours: the core's text form (`mon-fri 09:00-21:00; sat-sun 10:00-22:00`,
--   registry::merchant_details::BusinessHours). NULL: not stated.
ALTER TABLE merchants ADD COLUMN contacts TEXT;
ALTER TABLE merchants ADD COLUMN business_hours TEXT;
-- The single contact becomes the primary contact (a contact is a phone number to call).
UPDATE merchants
   SET contacts = json_array(json_object('name', contact_name, 'phone', contact_phone,
                                         'role', 'other', 'primary', json('true')))
 WHERE contact_phone IS NOT NULL;
