// Size of each attribute network: edges, mean and max co-purchase weight.
MATCH (:Item)-[r]->(:Item)
RETURN type(r) AS network, count(r) AS edges, round(avg(r.weight), 2) AS meanWeight, max(r.weight) AS maxWeight
ORDER BY network
