<?php
// The ground truth, from WordPress itself: every published post's fields as WordPress's own
// template functions give them (the names are the archive's, SPEC.md "The article"), or with
// the argument "sections", every category with its listing URL and post count.
require __DIR__ . '/boot.php';

function plain($html) {
    return trim(preg_replace('/\s+/u', ' ', html_entity_decode(wp_strip_all_tags($html), ENT_QUOTES | ENT_HTML5, 'UTF-8')));
}

if (($argv[1] ?? '') === 'sections') {
    $out = [];
    foreach (get_categories(['hide_empty' => true]) as $term) {
        $out[] = ['slug' => $term->slug, 'name' => html_entity_decode($term->name), 'url' => get_category_link($term), 'count' => (int) $term->count];
    }
    echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    exit(0);
}

// The body as the contract defines it: the rendered content's paragraphs, without the
// "Baca Juga" link paragraphs the site injects (SPEC.md, field `body`).
function body_paragraphs($html) {
    $doc = new DOMDocument();
    libxml_use_internal_errors(true);
    $doc->loadHTML('<?xml encoding="utf-8"?><div>' . $html . '</div>');
    $out = [];
    foreach ($doc->getElementsByTagName('p') as $p) {
        $text = trim(preg_replace('/\s+/u', ' ', $p->textContent));
        if ($text === '' || preg_match('/^baca juga\b/iu', $text)) continue;
        $out[] = $text;
    }
    return $out;
}

$query = new WP_Query(['post_type' => 'post', 'post_status' => 'publish', 'posts_per_page' => -1, 'orderby' => 'date', 'order' => 'DESC']);
$out = [];
while ($query->have_posts()) {
    $query->the_post();
    $post = get_post();
    $thumb = get_post_thumbnail_id($post);
    $caption = $thumb ? trim(wp_get_attachment_caption($thumb)) : '';
    $subtitle = trim((string) get_post_meta($post->ID, 'kia_subtitle', true));
    $out[] = [
        'url' => get_permalink($post),
        'post_id' => $post->ID,
        'title' => plain(get_the_title($post)),
        'subtitle' => $subtitle === '' ? null : plain($subtitle),
        'byline' => get_the_author_meta('display_name', $post->post_author),
        'published_at' => get_the_date('c', $post),
        // A post never edited has its publication time as post_modified: no modification.
        'modified_at' => $post->post_modified_gmt !== $post->post_date_gmt ? get_the_modified_date('c', $post) : null,
        'categories' => array_map(fn($t) => html_entity_decode($t->name), get_the_category($post->ID)),
        'tags' => array_map(fn($t) => html_entity_decode($t->name), get_the_tags($post->ID) ?: []),
        // What the AMP copy shows instead: the excerpt under the headline, and only Yoast's
        // primary category when one is set (AMP for WP's categories list).
        'amp_subtitle' => has_excerpt($post) ? plain(get_the_excerpt($post)) : null,
        'amp_categories' => ($primary = (int) get_post_meta($post->ID, '_yoast_wpseo_primary_category', true))
            ? [html_entity_decode(get_cat_name($primary))]
            : array_map(fn($t) => html_entity_decode($t->name), get_the_category($post->ID)),
        'body' => implode("\n\n", body_paragraphs(apply_filters('the_content', $post->post_content))),
        'image_url' => $thumb ? wp_get_attachment_url($thumb) : null,
        'image_caption' => $caption === '' ? null : plain($caption),
    ];
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
