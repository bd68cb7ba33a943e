-- The archive search a night's check actually made: with look-back nights one `nightrange=` request covers
-- several nights, and support (`why`) shows the request that was made, not one rebuilt for a single night.
ALTER TABLE yougotdata_night ADD COLUMN url text;
