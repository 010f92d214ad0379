// Export controls in force: which country controls the export of which commodity, since when.
// Answers: per country and commodity, the control type, the year it took effect and the official
// notice USGS cites (MCS 2026 Table 4); filter by country with $country (ISO3) or pass null.
// Python twin: minerals_graph.analysis.queries.export_controls.
// Parameters:
//   $country  STRING OR NULL  ISO3 of the controlling country, e.g. "CHN"; null (or omitted): every country
// Example: minerals-graph neo4j query export_controls
// Example: minerals-graph neo4j query export_controls --param country=CHN
MATCH (c:Country)-[x:EXPORT_CONTROL]->(m:Commodity)
WHERE $country IS NULL OR c.iso3 = $country
RETURN c.iso3 AS iso3, replace(m.id, 'commodity:', '') AS commodity, x.control_type AS control_type, x.year AS year,
       x.official_url AS official_url
ORDER BY iso3, commodity, year, control_type
