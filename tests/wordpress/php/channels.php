<?php
// Turns discovery channels off or on: `channels.php off rest feed sitemaps yoast-sitemaps` /
// `channels.php on`. REST, feed and WordPress's own sitemaps through the test mu-plugin's
// option; Yoast's sitemaps through Yoast's own setting ("sitemaps" turns off both kinds,
// "yoast-sitemaps" only Yoast's: WordPress's wp-sitemap.xml then takes over).
require __DIR__ . '/boot.php';
$off = array_slice($argv, 2);
update_option('newsarchive_channels_off', $argv[1] === 'off' ? $off : []);
$wpseo = get_option('wpseo');
$wpseo['enable_xml_sitemap'] = !($argv[1] === 'off' && array_intersect(['sitemaps', 'yoast-sitemaps'], $off));
update_option('wpseo', $wpseo);
delete_option('rewrite_rules');
echo "channels off: " . implode(',', get_option('newsarchive_channels_off')) . "\n";
