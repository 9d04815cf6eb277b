--liquibase formatted sql

--changeset radbridge:008-hl7-message
-- Every accepted HL7 v2 message, identified as HL7 identifies it: sending application and facility
-- (MSH-3, MSH-4) and message control id (MSH-10). The row and the resources the message wrote
-- commit together, with the ACK that was answered, so the same message again gets the same ACK
-- and writes nothing; the same control id from another sender is another message.
CREATE TABLE hl7_message (
  sending_application  varchar(180) NOT NULL,
  sending_facility     varchar(180) NOT NULL,
  control_id           varchar(199) NOT NULL,
  message_type         varchar(20)  NOT NULL,
  ack                  text         NOT NULL,
  received_at          timestamptz  NOT NULL DEFAULT now(),
  PRIMARY KEY (sending_application, sending_facility, control_id)
);
