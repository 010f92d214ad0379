// Single-source dependencies: commodities for which USGS lists only one major U.S. import source.
// Answers: per commodity and period, the only exporter listed (Fig. 2), with its country.
// Python twin: minerals_graph.analysis.queries.single_source.
// Parameters: none.
// Example: minerals-graph neo4j query single_source
MATCH (e:Country)-[t:TRADES]->(:Country {iso3: 'USA'})
WHERE t.rank IS NOT NULL
WITH t.commodity AS commodity, t.period AS period, collect(DISTINCT e.iso3) AS exporters
WHERE size(exporters) = 1
RETURN commodity, period, exporters[0] AS exporter
ORDER BY commodity, period
