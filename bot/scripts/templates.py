"""Hand-written templates for the intents Bitext does not cover.

Slots in braces are filled from catalog-derived values; each filled slot becomes an
annotated entity. Templates mix casual, terse, long and misspelt phrasings.
"""

TEMPLATES: dict[str, list[str]] = {
    "search_product": [
        "I'm looking for {product}", "im looking for {product}", "do you sell {product}?",
        "show me {product}", "{product}", "{color} {product}", "{brand} {product}",
        "I need {product} {price}", "find me {color} {product} {price}",
        "looking for {brand} {product} in {color}", "any {product} from {brand}?",
        "got any {category}?", "show me your {category}", "search {product}",
        "i want to buy {product} for my wife", "where can i find {product}",
        "can you help me find {product} in size {size}", "I'm after some {product}, nothing too fancy",
        "show {product} not {color}", "{product} {price} please", "need {quantity} {product}",
        "hey do u have {prodcut_typo}", "lookin for {product}", "searching for {category} {price}",
        "I am trying to find a good pair of {product} for the weekend, something {color} ideally",
        "what {category} do you have", "browse {category}", "list {brand} products",
        "I'd like to see {product} {price}", "{product} size {size}",
    ],
    "ask_recommendation": [
        "what would make a good gift for my dad?", "can you recommend some {product}?",
        "what do you suggest for {category}?", "any recommendations for {product}?",
        "what's popular right now?", "recommend something {price}", "what should I buy for my sister",
        "suggest a gift {price}", "what are your best sellers in {category}", "help me choose {product}",
        "what's trending", "which {product} would you recommend", "give me some ideas for a birthday present",
        "i dont know what to get, any suggestions?", "recomend me {product}", "top picks in {category}?",
        "what do other people buy with {product}", "best {product} {price}?", "something nice for my mom",
        "what goes well with {color} {product}", "suggest {brand} stuff", "inspire me",
        "what's a good {product} for running", "I need ideas for an anniversary gift {price}",
        "what would you pick in {category}",
    ],
    "product_info": [
        "is this {product} machine washable?", "what material is the {product} made of?",
        "tell me more about the {brand} {product}", "what are the specs of the {product}",
        "does the {product} come with a warranty?", "how big is the {product}", "is it waterproof?",
        "details about the second one", "more info on that one please", "what's the fabric",
        "is the {color} {product} true to size?", "how heavy is the {product}", "describe the {product}",
        "does it have a warranty", "is the {brand} one durable", "whats in the box",
        "can you tell me about the first {product}", "what are the dimensions", "is it good for kids",
        "how do I wash the {product}", "what colours does the {product} come in", "is this {brand} original?",
        "any reviews on the {product}?", "how long does the battery last on the {product}",
        "is that one leather",
    ],
    "compare_products": [
        "which is better, the {brand} or the {brand2}?", "compare the first and the second",
        "what's the difference between these two {product}", "{brand} vs {brand2} {product}",
        "compare {product} from {brand} and {brand2}", "which one is cheaper", "which one is better value",
        "how does the first one compare to the third", "difference between the {color} and the {color2} one",
        "should I get the {brand} or the {brand2}", "compare these", "which of these lasts longer",
        "first or second?", "what's better for running, these or those", "compair the two {product}",
        "side by side please", "which has better reviews", "pros and cons of each",
        "is the {brand} better than {brand2}", "which would you choose between them",
        "what sets the {brand} apart", "the {color} one or the {color2} one?",
        "help me decide between these {product}", "compare prices of these", "which is lighter",
    ],
    "price_and_discounts": [
        "is there any coupon for these {product}?", "how much is the {product}?", "what's the price",
        "any discounts on {brand}?", "do you have a sale on {category}", "how much does it cost",
        "is the {product} on offer", "got a promo code?", "will the price drop soon",
        "any deals {price}?", "what's the cheapest {product}", "price of the {color} one",
        "can i get a discount", "are there student discounts", "how much for {quantity}",
        "is shipping included in the price", "do you price match", "hw much is this",
        "any black friday deals on {category}", "how much is the {brand} {product}",
        "is there a bundle discount", "whats the total for {quantity} {product}",
        "do you have coupons", "cheaper ones please", "show me something cheaper",
    ],
    "check_availability": [
        "do you have this in size {size}?", "is the {product} in stock?", "is it available in {color}?",
        "when will the {product} be back in stock", "do you have {quantity} of these",
        "is size {size} available", "any {color} ones left?", "can I get it in {color}",
        "is the {brand} {product} available", "out of stock?", "still available?",
        "do u have it in {size}", "is this available near me", "how many are left",
        "in stock in {color}?", "available in XL?", "do you have it in a bigger size",
        "when is the restock", "can you check stock for {product}", "is it sold out",
        "do you carry {brand}", "availability of {product} in size {size}", "is the second one available",
        "have you got this in {color} and size {size}", "any left in {size}?",
    ],
    "add_to_cart": [
        "put the {color} one in my cart", "add this to my cart", "add {quantity} to the basket",
        "I'll take it", "add the first one", "i want the second one, add it", "add to cart",
        "put {quantity} {product} in my basket", "add the {brand} {product} to cart", "buy this one",
        "yes add it to my bag", "add it", "cart the {color} {product}", "ad to cart pls",
        "I'll take {quantity} of those", "add the cheapest one to my cart", "put that in the cart",
        "add size {size} to my cart", "grab me the third one", "throw it in my basket",
        "add the {product} in {color} size {size}", "i'll buy the {brand}", "add one more",
        "put both in my cart", "add that {product} please",
    ],
    "checkout_help": [
        "how do I finish paying for my cart?", "how do i checkout", "help me check out",
        "I'm stuck at checkout", "where do I enter my card", "how do I complete my purchase",
        "checkout isn't working", "what's next after adding to cart", "how to pay for my basket",
        "proceed to checkout", "can you take me to checkout", "the pay button doesn't work",
        "how do I use a coupon at checkout", "i want to pay now", "checkout pls",
        "where is my cart", "how do i finalize my order", "i cant complete checkout",
        "help with payment page", "go to checkout", "finish my order", "ready to pay",
        "how do I apply my promo code when paying", "checkout is asking for an address, what do I do",
        "take me to the payment step",
    ],
    "greet": [
        "hi", "hello", "hey", "hi there", "good morning", "good evening", "hey there", "hello!",
        "hiya", "howdy", "yo", "greetings", "hi bot", "hello, anyone there?", "hey, how are you",
        "good afternoon", "hallo", "helo", "sup", "morning", "hi!", "hey hey", "hello there",
        "hi, I need some help", "hi shoptalk",
    ],
    "goodbye": [
        "bye", "goodbye", "see you", "bye, thanks", "that's all", "see you later", "cya",
        "good night", "bye bye", "talk later", "ok bye", "have a nice day", "i'm done", "thats it bye",
        "catch you later", "farewell", "bye for now", "see ya", "gotta go", "that's everything, bye",
        "ok thanks, bye", "later", "goodbye and thanks", "nothing else, bye", "end chat",
    ],
    "thank": [
        "thanks", "thank you", "thanks a lot", "thx", "ty", "cheers", "much appreciated",
        "thank you so much", "great, thanks", "perfect thanks", "awesome thank you", "thanks!",
        "many thanks", "thanks for the help", "appreciate it", "thankyou", "tnx", "thanks a bunch",
        "that was helpful, thanks", "thank u", "super, thanks", "you're the best, thanks",
        "ok thank you", "nice, thx", "brilliant, cheers",
    ],
    "affirm": [
        "yes", "yes, that one", "yeah", "yep", "sure", "ok", "okay", "correct", "right",
        "absolutely", "of course", "sounds good", "that's right", "yes please", "definitely",
        "y", "yup", "indeed", "exactly", "go ahead", "please do", "why not", "sure thing",
        "that works", "alright",
    ],
    "deny": [
        "no", "no, not that", "nope", "nah", "not really", "no thanks", "never", "don't",
        "no way", "not that one", "no, something else", "i don't think so", "n", "negative",
        "not interested", "not now", "no thank you", "wrong", "that's not it", "nope, different one",
        "absolutely not", "no, the other one", "not quite", "i said no", "none of these",
    ],
    "out_of_scope": [
        "what's the weather on Mars?", "tell me a joke", "who won the world cup",
        "what is the meaning of life", "can you do my homework", "what's 2 plus 2",
        "who is the president", "sing me a song", "how tall is mount everest", "book me a flight",
        "what's the capital of peru", "are you a robot", "play some music", "translate hello to french",
        "how do I cook pasta", "what time is it in tokyo", "write me a poem", "how old are you",
        "can you hack a website", "what's bitcoin price", "recommend a movie", "what's your favourite colour",
        "how do vaccines work", "explain quantum physics", "order me a pizza",
    ],
}

# Generic values mixed with catalog-derived ones (brands and colours come from the catalog).
PRODUCTS = [
    "running shoes", "hiking boots", "headphones", "jacket", "watch", "sunglasses", "dress",
    "t-shirt", "jeans", "backpack", "sneakers", "rings", "earrings", "bedsheet", "curtains",
    "phone case", "laptop bag", "water bottle", "kurta", "sandals", "wallet", "perfume",
    "wrist watch", "bike light", "baby romper", "coffee mug", "lipstick", "towels", "trousers", "shirt",
]
CATEGORIES = [
    "footwear", "clothing", "jewellery", "watches", "electronics", "home decor", "kitchen",
    "beauty", "automotive", "sunglasses", "bags", "toys", "furniture", "sports", "baby care",
]
SIZES = ["42", "XL", "M", "S", "L", "9", "10", "38", "XXL", "7"]
PRICES = [
    "under 50 dollars", "under 2000", "below 500 rupees", "less than 1000", "between 100 and 200",
    "under $80", "over 500", "between 1000 and 3000", "cheaper than 300", "max 1500",
]
QUANTITIES = ["two", "3", "a couple of", "2", "one", "five"]
TYPOS = {"prodcut_typo": ["runing shoes", "hedphones", "jackit", "sneekers", "watchs", "sunglases"]}
