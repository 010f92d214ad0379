// A facility's upstream and downstream chain through cited SUPPLIES links (up to 5 steps), and
// the ports it ships through.
// Python twin: minerals_graph.analysis.queries.facility_chain.
// Parameters:
//   $id  STRING  node id of a mine or plant, e.g. "facility:fac_mys_lynas_lamp_gebeng_kuantan"
// Example: minerals-graph neo4j query facility_chain --param id=facility:fac_mys_lynas_lamp_gebeng_kuantan
// Example: minerals-graph neo4j query facility_chain --param id=site:fac_aus_lynas_mt_weld_mine
MATCH (f:MGNode {id: $id})
OPTIONAL MATCH (up)-[:SUPPLIES*1..5]->(f)
WITH f, collect(DISTINCT up.id) AS upstream
OPTIONAL MATCH (f)-[:SUPPLIES*1..5]->(down)
WITH f, upstream, collect(DISTINCT down.id) AS downstream
OPTIONAL MATCH (f)-[:SHIPS_VIA]->(port:Port)
RETURN f.id AS id, upstream, downstream, collect(DISTINCT port.id) AS ports
