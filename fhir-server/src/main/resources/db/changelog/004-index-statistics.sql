--liquibase formatted sql

--changeset radbridge:004-index-statistics
-- res_type, param and the value columns are strongly correlated (a code means something only for
-- one parameter of one type); without multi-column statistics the planner multiplies their
-- selectivities and misjudges e.g. ServiceRequest status=active by 100x, choosing a hash of every
-- match over a walk of the sort index.
CREATE STATISTICS st_token_key (mcv, dependencies) ON res_type, param, code FROM idx_token;
CREATE STATISTICS st_reference_key (mcv, dependencies) ON res_type, param, target_type FROM idx_reference;
CREATE STATISTICS st_date_key (mcv, dependencies) ON res_type, param FROM idx_date;
CREATE STATISTICS st_string_key (mcv, dependencies) ON res_type, param FROM idx_string;
