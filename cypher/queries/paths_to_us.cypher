// Plants and ports on the paths from mines to U.S. demand for one commodity.
// Answers: which registered processing plants of the commodity sit in a country that supplies the
// U.S. (a USGS major import source, or the U.S. itself), which port each ships through, and which
// registered mines feed it (cited SUPPLIES links).
// Python twin: minerals_graph.analysis.queries.paths_to_us.
// Parameters:
//   $commodity  STRING  commodity node id, e.g. "commodity:rare_earths"
// Example: minerals-graph neo4j query paths_to_us --param commodity=commodity:rare_earths
// Example: minerals-graph neo4j query paths_to_us --param commodity=commodity:lithium
MATCH (f:Facility)-[:PRODUCES]->(c:Commodity)
WHERE c.id = $commodity OR (c)-[:PART_OF]->(:Commodity {id: $commodity})
MATCH (f)-[:LOCATED_IN]->(k:Country)
WHERE k.iso3 = 'USA'
   OR (k)-[:TRADES {commodity: substring($commodity, 10)}]->(:Country {iso3: 'USA'})
WITH DISTINCT f, k
OPTIONAL MATCH (f)-[:SHIPS_VIA]->(port:Port)
OPTIONAL MATCH (m)-[:SUPPLIES]->(f)
RETURN f.id AS facility, k.iso3 AS country, collect(DISTINCT port.id) AS ports, collect(DISTINCT m.id) AS fed_by
ORDER BY facility
