-- Resident ID numbers are shown with their first and last characters only. The earlier mask kept
-- the region (positions 1–6) and the sequence with its check digit (15–18); beside the birth date
-- that a record also shows, it gave the whole number back. Recorded events keep the mask they
-- were written with: their payloads are committed to the log and cannot change.
UPDATE appraisers
   SET id_masked = substr(id_masked, 1, 1) || '****************' || substr(id_masked, 18, 1)
 WHERE length(id_masked) = 18;
UPDATE case_persons
   SET id_masked = substr(id_masked, 1, 1) || '****************' || substr(id_masked, 18, 1)
 WHERE length(id_masked) = 18;
UPDATE applications
   SET payload = jsonb_set(payload::jsonb, '{id_number}', to_jsonb(
           substr(payload::jsonb ->> 'id_number', 1, 1) || '****************'
           || substr(payload::jsonb ->> 'id_number', 18, 1)))::text
 WHERE payload LIKE '{%' AND length(payload::jsonb ->> 'id_number') = 18;
