// Schema for Neo4j 5: one uniqueness constraint per node label and indexes on the properties
// analysts filter by. Every node also carries the label :MGNode (the loader MERGEs on
// :MGNode {id}), so relationship loads find either end through one constraint.
// Run with `minerals-graph neo4j schema`; every statement is idempotent (IF NOT EXISTS).
// Parameters: none.

CREATE CONSTRAINT mg_node_id IF NOT EXISTS FOR (n:MGNode) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT country_id IF NOT EXISTS FOR (n:Country) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT commodity_id IF NOT EXISTS FOR (n:Commodity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT site_id IF NOT EXISTS FOR (n:Site) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT facility_id IF NOT EXISTS FOR (n:Facility) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT port_id IF NOT EXISTS FOR (n:Port) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE;
CREATE INDEX country_iso3 IF NOT EXISTS FOR (n:Country) ON (n.iso3);
CREATE INDEX site_iso3 IF NOT EXISTS FOR (n:Site) ON (n.iso3);
CREATE INDEX site_status IF NOT EXISTS FOR (n:Site) ON (n.status);
CREATE INDEX facility_iso3 IF NOT EXISTS FOR (n:Facility) ON (n.iso3);
CREATE INDEX facility_status IF NOT EXISTS FOR (n:Facility) ON (n.status);
CREATE INDEX port_iso3 IF NOT EXISTS FOR (n:Port) ON (n.iso3);
CREATE INDEX port_wpi_number IF NOT EXISTS FOR (n:Port) ON (n.wpi_number);
CREATE INDEX company_control_iso3 IF NOT EXISTS FOR (n:Company) ON (n.control_iso3);
CREATE INDEX commodity_critical_2022 IF NOT EXISTS FOR (n:Commodity) ON (n.critical_2022);
CREATE INDEX rel_produces_year IF NOT EXISTS FOR ()-[r:PRODUCES]-() ON (r.year);
CREATE INDEX rel_trades_commodity IF NOT EXISTS FOR ()-[r:TRADES]-() ON (r.commodity);
CREATE INDEX rel_ships_via_commodity IF NOT EXISTS FOR ()-[r:SHIPS_VIA]-() ON (r.commodity);
CREATE INDEX rel_import_reliance_year IF NOT EXISTS FOR ()-[r:IMPORT_RELIANCE]-() ON (r.year);
CREATE INDEX rel_statistic_year IF NOT EXISTS FOR ()-[r:STATISTIC]-() ON (r.year);
