--liquibase formatted sql

--changeset radbridge:014-accession-numbers
-- Accession numbers the hub assigns to orders that come without one. A sequence, not a counter
-- row: numbers are never handed out twice, across nodes, and a rolled-back order costs a gap only.
CREATE SEQUENCE accession_number_seq START WITH 1 NO CYCLE;
